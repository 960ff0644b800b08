// A product's picture. The demo catalog's image URLs point at a fictional CDN, so the page draws
// a tile from the product's name instead of loading them (no broken images, no failed requests).
const HUES = [12, 38, 95, 160, 195, 225, 262, 300, 335];

export function Picture({ id, name, large }: { id: string; name: string; large?: boolean }) {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const hue = HUES[hash % HUES.length];
  const initials = name
    .split(/\s+/)
    .slice(0, 2)
    .map((word) => word[0])
    .join('');
  return (
    <span
      class={large ? 'picture picture--large' : 'picture'}
      style={{ background: `linear-gradient(135deg, hsl(${hue} 70% 88%), hsl(${(hue + 40) % 360} 60% 72%))` }}
      role="img"
      aria-label={name}
    >
      {initials}
    </span>
  );
}
