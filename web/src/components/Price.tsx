// A product's price as every page shows it: the promoted price, the struck-through list price
// and the discount, or "Price unavailable" when pricing could not answer.
import type { ProductCard } from '../graphql/operations';
import { formatMoney } from '../format';

export function Price({ pricing }: { pricing: ProductCard['pricing'] }) {
  if (!pricing) {
    return (
      <span class="price price--unavailable" data-testid="price-unavailable">
        Price unavailable
      </span>
    );
  }
  const { price, compareAtPrice, percentOff } = pricing;
  return (
    <span class="price">
      <span class="price__now" data-testid="price" data-amount={price.amount} data-currency={price.currencyCode}>
        {formatMoney(price)}
      </span>
      {compareAtPrice && (
        <>
          <s class="price__was" data-testid="compare-at" data-currency={compareAtPrice.currencyCode}>
            {formatMoney(compareAtPrice)}
          </s>
          <span class="price__badge">−{percentOff}%</span>
        </>
      )}
    </span>
  );
}
