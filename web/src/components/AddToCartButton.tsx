// "Add to cart" on any product card or page: asks the shopper to sign in first, then adds one
// (or `quantity`) and updates the header's badge from the graph's answer.
import { useState } from 'preact/hooks';
import { execute } from '../graphql/client';
import { AddToCart } from '../graphql/operations';
import { describe } from '../errors';
import { useShop } from '../shop';

interface Props {
  productId: string;
  quantity?: number;
  compact?: boolean;
  /** Called after the graph confirmed the add (the cart page shows the new line). */
  onAdded?: () => void;
}

export function AddToCartButton({ productId, quantity = 1, compact, onAdded }: Props) {
  const { session, currency, setCartCount } = useShop();
  const [state, setState] = useState<{ busy: boolean; message: string | null; failed: boolean }>({
    busy: false,
    message: null,
    failed: false,
  });

  async function add() {
    if (!session) {
      setState({ busy: false, message: 'Sign in (top right) to add to your cart.', failed: true });
      return;
    }
    setState({ busy: true, message: null, failed: false });
    try {
      const { data, errors } = await execute(AddToCart, { productId, quantity, currency }, session.token);
      if (data?.addToCart) {
        setCartCount(data.addToCart.totalQuantity);
        setState({ busy: false, message: 'Added to cart', failed: false });
        onAdded?.();
      } else {
        setState({ busy: false, message: describe(errors[0] ?? { message: '' }), failed: true });
      }
    } catch (error) {
      setState({ busy: false, message: (error as Error).message, failed: true });
    }
  }

  return (
    <span class="add">
      <button
        type="button"
        class={compact ? 'button button--small' : 'button'}
        data-testid="add-to-cart"
        disabled={state.busy}
        onClick={add}
      >
        {state.busy ? 'Adding…' : compact ? 'Add' : 'Add to cart'}
      </button>
      {state.message && (
        <span class={state.failed ? 'add__message add__message--error' : 'add__message'} role="status" data-testid="add-message">
          {state.message}
        </span>
      )}
    </span>
  );
}
