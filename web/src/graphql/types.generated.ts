/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type CurrencyCode =
  | 'EUR'
  | 'GBP'
  | 'USD';

export type AddToCartMutationVariables = Exact<{
  productId: string | number;
  quantity?: number;
  currency?: CurrencyCode | null | undefined;
}>;


export type AddToCartMutation = { addToCart: { id: string, totalQuantity: number, updatedAt: string, lines: Array<{ id: string, quantity: number, product: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }, lineTotal: { amount: string, currencyCode: CurrencyCode } }>, subtotal: { amount: string, currencyCode: CurrencyCode } } };

export type CartChangedSubscriptionVariables = Exact<{
  currency?: CurrencyCode | null | undefined;
}>;


export type CartChangedSubscription = { cartChanged: { id: string, totalQuantity: number, updatedAt: string, lines: Array<{ id: string, quantity: number, product: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }, lineTotal: { amount: string, currencyCode: CurrencyCode } }>, subtotal: { amount: string, currencyCode: CurrencyCode } } };

export type CartContentsFragment = { id: string, totalQuantity: number, updatedAt: string, lines: Array<{ id: string, quantity: number, product: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }, lineTotal: { amount: string, currencyCode: CurrencyCode } }>, subtotal: { amount: string, currencyCode: CurrencyCode } };

export type CartViewQueryVariables = Exact<{
  currency?: CurrencyCode | null | undefined;
}>;


export type CartViewQuery = { categories: Array<{ slug: string, name: string }>, cart: { id: string, totalQuantity: number, updatedAt: string, lines: Array<{ id: string, quantity: number, product: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }, lineTotal: { amount: string, currencyCode: CurrencyCode } }>, subtotal: { amount: string, currencyCode: CurrencyCode } } | null, cartRecommendations: { id: string, recommendations: Array<{ id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }> } | null };

export type CategoryListingQueryVariables = Exact<{
  slug: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  currency?: CurrencyCode | null | undefined;
  signedIn?: boolean | null | undefined;
}>;


export type CategoryListingQuery = { categories: Array<{ slug: string, name: string }>, cart?: { id: string, totalQuantity: number } | null, products: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null } }> } };

export type ClearCartMutationVariables = Exact<{
  currency?: CurrencyCode | null | undefined;
}>;


export type ClearCartMutation = { clearCart: { id: string, totalQuantity: number, updatedAt: string, lines: Array<{ id: string, quantity: number, product: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }, lineTotal: { amount: string, currencyCode: CurrencyCode } }>, subtotal: { amount: string, currencyCode: CurrencyCode } } };

export type HomeQueryVariables = Exact<{
  currency?: CurrencyCode | null | undefined;
  signedIn?: boolean | null | undefined;
}>;


export type HomeQuery = { categories: Array<{ slug: string, name: string }>, cart?: { id: string, totalQuantity: number } | null, promotions: Array<{ id: string, title: string, percentOff: number, categorySlugs: Array<string>, endsAt: string }>, products: { edges: Array<{ node: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null } }> } };

export type ProductCardFragment = { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null };

export type ProductPageQueryVariables = Exact<{
  id: string | number;
  currency?: CurrencyCode | null | undefined;
  signedIn?: boolean | null | undefined;
}>;


export type ProductPageQuery = { categories: Array<{ slug: string, name: string }>, cart?: { id: string, totalQuantity: number } | null, product: { id: string, sku: string, name: string, description: string, imageUrl: string | null, tags: Array<string>, category: { slug: string, name: string }, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null } | null, related: { id: string, recommendations: Array<{ id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }> } | null };

export type ProductPriceChangedSubscriptionVariables = Exact<{
  productIds: Array<string | number> | string | number;
  currency?: CurrencyCode | null | undefined;
}>;


export type ProductPriceChangedSubscription = { productPriceChanged: { id: string, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null } };

export type RemoveFromCartMutationVariables = Exact<{
  productId: string | number;
  currency?: CurrencyCode | null | undefined;
}>;


export type RemoveFromCartMutation = { removeFromCart: { id: string, totalQuantity: number, updatedAt: string, lines: Array<{ id: string, quantity: number, product: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }, lineTotal: { amount: string, currencyCode: CurrencyCode } }>, subtotal: { amount: string, currencyCode: CurrencyCode } } };

export type SearchQueryVariables = Exact<{
  text: string;
  first?: number | null | undefined;
  currency?: CurrencyCode | null | undefined;
  signedIn?: boolean | null | undefined;
}>;


export type SearchQuery = { categories: Array<{ slug: string, name: string }>, cart?: { id: string, totalQuantity: number } | null, products: { totalCount: number, edges: Array<{ node: { id: string, name: string, imageUrl: string | null, category: { name: string }, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null } }> } };

export type UpdateCartLineMutationVariables = Exact<{
  productId: string | number;
  quantity: number;
  currency?: CurrencyCode | null | undefined;
}>;


export type UpdateCartLineMutation = { updateCartLine: { id: string, totalQuantity: number, updatedAt: string, lines: Array<{ id: string, quantity: number, product: { id: string, name: string, imageUrl: string | null, pricing: { percentOff: number, price: { amount: string, currencyCode: CurrencyCode }, compareAtPrice: { amount: string, currencyCode: CurrencyCode } | null } | null }, lineTotal: { amount: string, currencyCode: CurrencyCode } }>, subtotal: { amount: string, currencyCode: CurrencyCode } } };
