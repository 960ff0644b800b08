// What every page shares: the chosen currency, the signed-in shopper (dev identity), the cart
// badge and the cart as the `CartChanged` subscription last told it (live across tabs and
// devices). Currency and identity survive a reload (localStorage); the cart lives on the server.
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { execute, type Operation, type Result, NetworkError } from './graphql/client';
import { subscribe, type LiveState } from './graphql/live';
import {
  CartChanged,
  ProductPriceChanged,
  type CartContents,
  type CurrencyCode,
  type Pricing,
} from './graphql/operations';

export const CURRENCIES: CurrencyCode[] = ['USD', 'EUR', 'GBP'];

interface Session {
  user: string;
  token: string;
  expiresAt: number;
}

interface Shop {
  currency: CurrencyCode;
  setCurrency(currency: CurrencyCode): void;
  session: Session | null;
  signIn(user: string): Promise<void>;
  signOut(): void;
  /** Items in the cart, as last answered by the graph (null: not known yet). */
  cartCount: number | null;
  setCartCount(count: number | null): void;
  /** The cart as `CartChanged` last delivered it (null: nothing heard yet). */
  liveCart: CartContents | null;
  /** The cart subscription's state; null when signed out. */
  cartLive: LiveState | null;
}

const ShopContext = createContext<Shop | null>(null);

const CURRENCY_KEY = 'storefront.currency';
const SESSION_KEY = 'storefront.session';

function storedCurrency(): CurrencyCode {
  const stored = localStorage.getItem(CURRENCY_KEY);
  return CURRENCIES.find((currency) => currency === stored) ?? 'USD';
}

function storedSession(): Session | null {
  try {
    const session = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as Session | null;
    return session && session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

/** Whether the server that sent this page hands out dev tokens (never in production). */
export function devIdentityAvailable(): boolean {
  return document.querySelector<HTMLMetaElement>('meta[name="storefront-dev-identity"]')?.content === 'on';
}

export function ShopProvider({ children }: { children: ComponentChildren }) {
  const [currency, setCurrencyState] = useState<CurrencyCode>(storedCurrency);
  const [session, setSession] = useState<Session | null>(storedSession);
  const [cartCount, setCartCount] = useState<number | null>(null);

  const setCurrency = useCallback((next: CurrencyCode) => {
    localStorage.setItem(CURRENCY_KEY, next);
    setCurrencyState(next);
  }, []);

  const signIn = useCallback(async (user: string) => {
    const response = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      token?: string;
      expiresIn?: number;
      error?: string;
    };
    if (!response.ok || !body.token) throw new Error(body.error ?? `Sign-in failed (HTTP ${response.status}).`);
    const next = { user, token: body.token, expiresAt: Date.now() + (body.expiresIn ?? 3600) * 1000 };
    localStorage.setItem(SESSION_KEY, JSON.stringify(next));
    setCartCount(null);
    setSession(next);
  }, []);

  // The signed-in shopper's cart, live: the badge and the cart page follow changes made in
  // other tabs and devices. The first event is the cart as it is.
  const [liveCart, setLiveCart] = useState<CartContents | null>(null);
  const [cartLive, setCartLive] = useState<LiveState | null>(null);
  const token = session?.token ?? null;
  useEffect(() => {
    setLiveCart(null);
    if (!token) {
      setCartLive(null);
      return;
    }
    return subscribe(CartChanged, { currency }, token, {
      data(data) {
        setLiveCart(data.cartChanged);
        setCartCount(data.cartChanged.totalQuantity);
      },
      state: setCartLive,
      refused: () => setCartLive(null),
    });
  }, [token, currency]);

  const signOut = useCallback(() => {
    localStorage.removeItem(SESSION_KEY);
    setCartCount(null);
    setSession(null);
  }, []);

  const shop = useMemo(
    () => ({ currency, setCurrency, session, signIn, signOut, cartCount, setCartCount, liveCart, cartLive }),
    [currency, setCurrency, session, signIn, signOut, cartCount, liveCart, cartLive],
  );
  return <ShopContext.Provider value={shop}>{children}</ShopContext.Provider>;
}

export function useShop(): Shop {
  const shop = useContext(ShopContext);
  if (!shop) throw new Error('useShop outside ShopProvider');
  return shop;
}

export interface QueryState<Data> {
  result: Result<Data> | null;
  loading: boolean;
  /** The request did not reach the graph or its answer was unreadable. */
  failure: string | null;
  /** Replace the result (a mutation's answer, the next page). */
  setResult(result: Result<Data>): void;
  /** Ask again (after a change elsewhere on the page that this answer depends on). */
  refetch(): void;
}

/**
 * Runs `op` with `variables` whenever they (or the shopper) change: one request per page view.
 * A newer request supersedes an older one still in flight.
 */
export function useQuery<Data, Variables>(op: Operation<Data, Variables>, variables: Variables): QueryState<Data> {
  const { session } = useShop();
  const token = session?.token ?? null;
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables) + (token ?? '') + generation;
  const [state, setState] = useState<{ key: string; result: Result<Data> | null; failure: string | null }>({
    key: '',
    result: null,
    failure: null,
  });
  useEffect(() => {
    let current = true;
    execute(op, variables, token).then(
      (result) => current && setState({ key, result, failure: null }),
      (error: unknown) =>
        current &&
        setState({
          key,
          result: null,
          failure: error instanceof NetworkError ? error.message : 'Something went wrong. Please try again.',
        }),
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [op, key]);
  const setResult = useCallback((result: Result<Data>) => setState({ key, result, failure: null }), [key]);
  const refetch = useCallback(() => setGeneration((n) => n + 1), []);
  const fresh = state.key === key;
  return {
    result: fresh || state.result ? state.result : null,
    loading: !fresh,
    failure: fresh ? state.failure : null,
    setResult,
    refetch,
  };
}

/**
 * Prices of `ids` in the current currency as `ProductPriceChanged` delivers them, by product id:
 * what a page shows instead of the prices it loaded. `caughtUp` runs when the subscription is
 * live again after a gap, in which changes may have been missed (reload what the page shows).
 */
export function useLivePrices(
  ids: string[],
  caughtUp: () => void,
): { prices: Record<string, Pricing>; state: LiveState | null } {
  const { currency } = useShop();
  const [prices, setPrices] = useState<Record<string, Pricing>>({});
  const [state, setState] = useState<LiveState | null>(null);
  const catchUp = useRef(caughtUp);
  catchUp.current = caughtUp;
  // At most the 100 products one subscription may watch.
  const key = [...new Set(ids)].slice(0, 100).join(',');
  useEffect(() => {
    setPrices({});
    setState(null);
    if (!key) return;
    let interrupted = false;
    return subscribe(ProductPriceChanged, { productIds: key.split(','), currency }, null, {
      data(data) {
        const { id, pricing } = data.productPriceChanged;
        setPrices((before) => ({ ...before, [id]: pricing }));
      },
      state(state) {
        setState(state);
        if (state === 'reconnecting') interrupted = true;
        if (state === 'live' && interrupted) {
          interrupted = false;
          catchUp.current();
        }
      },
    });
  }, [key, currency]);
  return { prices, state };
}
