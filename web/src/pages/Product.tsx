// One product: name, description, price in the chosen currency (or "Price unavailable" while
// pricing is down), add to cart, and recommendations (hidden while they are unavailable). Its
// prices and the recommendations' follow `ProductPriceChanged` live.
import { Layout } from '../components/Layout';
import { Notice, QueryStatus } from '../components/Notice';
import { Picture } from '../components/Picture';
import { Price } from '../components/Price';
import { ProductGrid, ProductTile } from '../components/ProductTile';
import { AddToCartButton } from '../components/AddToCartButton';
import { ProductPage } from '../graphql/operations';
import { useLivePrices, useQuery, useShop } from '../shop';

export function Product({ id }: { id: string }) {
  const { currency, session } = useShop();
  const { result, failure, refetch } = useQuery(ProductPage, { id, currency, signedIn: !!session });
  const data = result?.data;
  const product = data?.product;
  const recommendations = data?.related?.recommendations ?? [];
  const { prices: live, state: pricesLive } = useLivePrices(product ? [product.id, ...recommendations.map((r) => r.id)] : [], refetch);
  return (
    <Layout categories={data?.categories} cartCount={data?.cart?.totalQuantity} live={pricesLive}>
      <QueryStatus result={result} failure={failure} />
      {data && !product && <Notice kind="info">This product does not exist (any more). <a href="/">Back to the shop</a></Notice>}
      {product && (
        <article class="product" data-testid="product">
          <Picture id={product.id} name={product.name} large />
          <div class="product__info">
            <nav class="crumbs">
              <a href={`/c/${product.category.slug}`}>{product.category.name}</a>
            </nav>
            <h1 data-testid="product-name">{product.name}</h1>
            <p class="product__price">
              <Price pricing={live[product.id] ?? product.pricing} />
            </p>
            <AddToCartButton productId={product.id} />
            <p class="product__description" data-testid="product-description">
              {product.description}
            </p>
            <p class="muted">
              SKU {product.sku} · {product.tags.join(' · ')}
            </p>
          </div>
        </article>
      )}
      {product && recommendations.length > 0 && (
        <section data-testid="recommendations">
          <h2>You may also like</h2>
          <ProductGrid label="Recommendations">
            {recommendations.map((recommended) => (
              <ProductTile key={recommended.id} product={recommended} pricing={live[recommended.id]} />
            ))}
          </ProductGrid>
        </section>
      )}
    </Layout>
  );
}
