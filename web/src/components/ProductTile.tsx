// A product in a list (home shelf, category, search, recommendations): picture, name, price,
// and an add-to-cart button.
import type { ProductCard } from '../graphql/operations';
import { AddToCartButton } from './AddToCartButton';
import { Picture } from './Picture';
import { Price } from './Price';

interface Props {
  product: ProductCard;
  /** A newer price than the product's own (a live update). */
  pricing?: ProductCard['pricing'];
  caption?: string;
  onAdded?: () => void;
}

export function ProductTile({ product, pricing, caption, onAdded }: Props) {
  return (
    <li class="tile" data-testid="product-tile" data-product-id={product.id}>
      <a class="tile__link" href={`/p/${product.id}`}>
        <Picture id={product.id} name={product.name} />
        <span class="tile__name">{product.name}</span>
      </a>
      {caption && <span class="tile__caption">{caption}</span>}
      <div class="tile__foot">
        <Price pricing={pricing ?? product.pricing} />
        <AddToCartButton productId={product.id} compact onAdded={onAdded} />
      </div>
    </li>
  );
}

export function ProductGrid({ children, label }: { children: preact.ComponentChildren; label: string }) {
  return (
    <ul class="grid" aria-label={label}>
      {children}
    </ul>
  );
}
