// The cart: lines with quantity controls and line totals, the subtotal in the chosen currency,
// clear, and recommendations for what is in it. Every change answers with the whole cart, and
// changes made elsewhere (another tab or device) arrive live through the shop's `CartChanged`.
import { useState } from 'preact/hooks';
import { Layout } from '../components/Layout';
import { Notice, QueryStatus } from '../components/Notice';
import { Picture } from '../components/Picture';
import { ProductGrid, ProductTile } from '../components/ProductTile';
import { execute, type Result } from '../graphql/client';
import { CartView, ClearCart, RemoveFromCart, UpdateCartLine, type CartContents } from '../graphql/operations';
import { describe, firstProblem } from '../errors';
import { formatMoney } from '../format';
import { useQuery, useShop } from '../shop';

export function Cart() {
  const { session } = useShop();
  if (!session) {
    return (
      <Layout>
        <h1>Your cart</h1>
        <Notice kind="info">Sign in (top right) to see your cart.</Notice>
      </Layout>
    );
  }
  return <SignedInCart />;
}

function SignedInCart() {
  const { currency, session, liveCart } = useShop();
  const token = session?.token ?? null;
  const { result, failure, setResult, refetch } = useQuery(CartView, { currency });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const data = result?.data;
  const cart = newer(data?.cart ?? null, liveCart);

  /** Runs a cart mutation and shows the cart it answers with. */
  async function change(run: () => Promise<Result<{ cart: CartContents | null }>>) {
    setBusy(true);
    setProblem(null);
    try {
      const answer = await run();
      if (answer.data?.cart && data) setResult({ data: { ...data, cart: answer.data.cart }, errors: [] });
      else setProblem(firstProblem(answer.errors));
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  }
  const update = (productId: string, quantity: number) =>
    change(async () => {
      const answer = await execute(UpdateCartLine, { productId, quantity, currency }, token);
      return { data: answer.data && { cart: answer.data.updateCartLine }, errors: answer.errors };
    });
  const remove = (productId: string) =>
    change(async () => {
      const answer = await execute(RemoveFromCart, { productId, currency }, token);
      return { data: answer.data && { cart: answer.data.removeFromCart }, errors: answer.errors };
    });
  const clear = () =>
    change(async () => {
      const answer = await execute(ClearCart, { currency }, token);
      return { data: answer.data && { cart: answer.data.clearCart }, errors: answer.errors };
    });

  const recommendations = data?.cartRecommendations?.recommendations ?? [];
  return (
    <Layout categories={data?.categories} cartCount={data ? (cart?.totalQuantity ?? 0) : undefined}>
      <h1>Your cart</h1>
      <QueryStatus result={result} failure={failure} />
      {data && !cart && result.errors.length > 0 && (
        <Notice>{describe(result.errors[0])} Your cart is safe; reload to try again.</Notice>
      )}
      {problem && <Notice>{problem}</Notice>}
      {data && (!cart || cart.lines.length === 0) && result.errors.length === 0 && (
        <Notice kind="info">Your cart is empty. <a href="/">Find something you like.</a></Notice>
      )}
      {cart && cart.lines.length > 0 && (
        <section class="cart" aria-busy={busy}>
          <table class="cart__lines">
            <thead>
              <tr>
                <th colSpan={2}>Product</th>
                <th>Quantity</th>
                <th class="num">Total</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {cart.lines.map((line) => (
                <tr key={line.id} data-testid="cart-line" data-product-id={line.product.id}>
                  <td class="cart__picture">
                    <Picture id={line.product.id} name={line.product.name} />
                  </td>
                  <td>
                    <a href={`/p/${line.product.id}`}>{line.product.name}</a>
                  </td>
                  <td>
                    <QuantityInput
                      key={`${line.id}:${line.quantity}`}
                      value={line.quantity}
                      disabled={busy}
                      onChange={(quantity) => update(line.product.id, quantity)}
                    />
                  </td>
                  <td class="num" data-testid="line-total" data-amount={line.lineTotal.amount} data-currency={line.lineTotal.currencyCode}>
                    {formatMoney(line.lineTotal)}
                  </td>
                  <td>
                    <button type="button" class="link" data-testid="remove" disabled={busy} onClick={() => remove(line.product.id)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th colSpan={3}>Subtotal ({cart.totalQuantity} items)</th>
                <td class="num" data-testid="subtotal" data-amount={cart.subtotal.amount} data-currency={cart.subtotal.currencyCode}>
                  <strong>{formatMoney(cart.subtotal)}</strong>
                </td>
                <td />
              </tr>
            </tfoot>
          </table>
          <button type="button" class="button button--quiet" data-testid="clear-cart" disabled={busy} onClick={clear}>
            Empty cart
          </button>
        </section>
      )}
      {recommendations.length > 0 && (
        <section data-testid="cart-recommendations">
          <h2>Goes well with your cart</h2>
          <ProductGrid label="Recommendations">
            {recommendations.map((product) => (
              <ProductTile key={product.id} product={product} onAdded={refetch} />
            ))}
          </ProductGrid>
        </section>
      )}
    </Layout>
  );
}

/** A quantity field that commits on change (Enter or leaving the field), any number allowed
 * so the graph's own limits are what the shopper hears about. It holds what the shopper types
 * across re-renders (a live cart update, a refetch): only a new quantity from the graph
 * replaces it (the field is keyed by it). */
function QuantityInput({ value, disabled, onChange }: { value: number; disabled: boolean; onChange(quantity: number): void }) {
  return (
    <input
      type="number"
      class="quantity"
      data-testid="quantity"
      aria-label="Quantity"
      defaultValue={String(value)}
      min={1}
      disabled={disabled}
      onChange={(event) => {
        const quantity = Number(event.currentTarget.value);
        if (Number.isInteger(quantity) && quantity !== value) onChange(quantity);
        else event.currentTarget.value = String(value);
      }}
    />
  );
}

/** Of the cart the page loaded and the one the subscription last delivered, the later one. */
function newer(loaded: CartContents | null, live: CartContents | null): CartContents | null {
  if (!live) return loaded;
  if (!loaded) return live.lines.length > 0 ? live : loaded;
  return Date.parse(live.updatedAt) >= Date.parse(loaded.updatedAt) ? live : loaded;
}
