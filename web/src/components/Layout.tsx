// The frame of every page: brand, category menu, search, currency, sign-in and the cart badge.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { CURRENCIES, devIdentityAvailable, useShop } from '../shop';
import type { CurrencyCode } from '../graphql/operations';
import type { LiveState } from '../graphql/live';

interface Props {
  categories?: { slug: string; name: string }[];
  /** The cart badge as this page's answer reported it (undefined: the page did not ask). */
  cartCount?: number | null;
  /** The state of this page's own subscription, if it has one (the cart's is the shop's). */
  live?: LiveState | null;
  children: ComponentChildren;
}

export function Layout({ categories, cartCount, live, children }: Props) {
  const shop = useShop();
  const { setCartCount } = shop;
  useEffect(() => {
    if (cartCount !== undefined) setCartCount(cartCount);
  }, [cartCount, setCartCount]);

  return (
    <div class="page">
      <header class="header">
        <a class="brand" href="/">
          Storefront
        </a>
        <SearchBox />
        <label class="currency">
          <span class="visually-hidden">Currency</span>
          <select
            data-testid="currency"
            value={shop.currency}
            onChange={(event) => shop.setCurrency(event.currentTarget.value as CurrencyCode)}
          >
            {CURRENCIES.map((currency) => (
              <option key={currency} value={currency}>
                {currency}
              </option>
            ))}
          </select>
        </label>
        <Account />
        {(shop.cartLive === 'reconnecting' || live === 'reconnecting') && (
          <span class="live-status" role="status" data-testid="live-status" data-state="reconnecting">
            Reconnecting…
          </span>
        )}
        <a class="cart-link" href="/cart" data-testid="cart-link" data-live={shop.cartLive ?? 'off'}>
          Cart
          {shop.session && shop.cartCount !== null && (
            <span class="cart-link__count" data-testid="cart-count">
              {shop.cartCount}
            </span>
          )}
        </a>
      </header>
      {categories && categories.length > 0 && (
        <nav class="categories" aria-label="Categories">
          {categories.map((category) => (
            <a key={category.slug} href={`/c/${category.slug}`} data-testid="category-link">
              {category.name}
            </a>
          ))}
        </nav>
      )}
      <main class="main">{children}</main>
      <footer class="footer">One GraphQL endpoint, four subgraphs: catalog, cart, pricing, recommendation.</footer>
    </div>
  );
}

function SearchBox() {
  const { query, route } = useLocation();
  const [text, setText] = useState(query.q ?? '');
  return (
    <form
      class="search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        const words = text.trim();
        if (words) route(`/search?q=${encodeURIComponent(words)}`);
      }}
    >
      <input
        type="search"
        name="q"
        placeholder="Search products"
        aria-label="Search products"
        data-testid="search-input"
        value={text}
        onInput={(event) => setText(event.currentTarget.value)}
      />
    </form>
  );
}

function Account() {
  const { session, signIn, signOut } = useShop();
  const [user, setUser] = useState('alice');
  const [problem, setProblem] = useState<string | null>(null);
  if (session) {
    return (
      <span class="account">
        <span data-testid="signed-in-as">{session.user}</span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </span>
    );
  }
  if (!devIdentityAvailable()) {
    return <span class="account">Sign-in is provided by your identity provider.</span>;
  }
  return (
    <form
      class="account"
      onSubmit={async (event) => {
        event.preventDefault();
        setProblem(null);
        try {
          await signIn(user.trim());
        } catch (error) {
          setProblem((error as Error).message);
        }
      }}
    >
      <input
        aria-label="Dev user"
        data-testid="user-input"
        value={user}
        size={8}
        onInput={(event) => setUser(event.currentTarget.value)}
      />
      <button type="submit" class="button button--small" data-testid="sign-in">
        Sign in
      </button>
      {problem && <span class="account__problem">{problem}</span>}
    </form>
  );
}
