// Every registered operation the page sends, with its generated types.
import { operation } from './client';
import type * as T from './types.generated';

export const Home = operation<T.HomeQuery, T.HomeQueryVariables>('Home');
export const CategoryListing = operation<T.CategoryListingQuery, T.CategoryListingQueryVariables>('CategoryListing');
export const Search = operation<T.SearchQuery, T.SearchQueryVariables>('Search');
export const ProductPage = operation<T.ProductPageQuery, T.ProductPageQueryVariables>('ProductPage');
export const CartView = operation<T.CartViewQuery, T.CartViewQueryVariables>('CartView');
export const AddToCart = operation<T.AddToCartMutation, T.AddToCartMutationVariables>('AddToCart');
export const UpdateCartLine = operation<T.UpdateCartLineMutation, T.UpdateCartLineMutationVariables>('UpdateCartLine');
export const RemoveFromCart = operation<T.RemoveFromCartMutation, T.RemoveFromCartMutationVariables>('RemoveFromCart');
export const ClearCart = operation<T.ClearCartMutation, T.ClearCartMutationVariables>('ClearCart');
export const CartChanged = operation<T.CartChangedSubscription, T.CartChangedSubscriptionVariables>('CartChanged');
export const ProductPriceChanged = operation<T.ProductPriceChangedSubscription, T.ProductPriceChangedSubscriptionVariables>(
  'ProductPriceChanged',
);

export type CurrencyCode = T.CurrencyCode;
export type ProductCard = T.ProductCardFragment;
export type CartContents = T.CartContentsFragment;
export type Pricing = T.ProductCardFragment['pricing'];
