// Home: running promotions, the categories, and a first shelf of products.
import { Layout } from '../components/Layout';
import { Notice, QueryStatus } from '../components/Notice';
import { ProductGrid, ProductTile } from '../components/ProductTile';
import { errorsAt } from '../graphql/client';
import { Home as HomeQuery } from '../graphql/operations';
import { useQuery, useShop } from '../shop';

export function Home() {
  const { currency, session } = useShop();
  const { result, failure } = useQuery(HomeQuery, { currency, signedIn: !!session });
  const data = result?.data;
  return (
    <Layout categories={data?.categories} cartCount={data?.cart?.totalQuantity}>
      <QueryStatus result={result} failure={failure} />
      {data && (
        <>
          {data.promotions && data.promotions.length > 0 && (
            <section class="promotions" aria-label="Promotions">
              {data.promotions.map((promotion) => (
                <div class="promotion" key={promotion.id} data-testid="promotion">
                  <strong>{promotion.title}</strong>
                  <span>
                    {promotion.percentOff}% off{' '}
                    {promotion.categorySlugs.length > 0 ? promotion.categorySlugs.join(', ') : 'everything'} until{' '}
                    {new Date(promotion.endsAt).toLocaleDateString('en', { month: 'short', day: 'numeric' })}
                  </span>
                </div>
              ))}
            </section>
          )}
          {errorsAt(result.errors, 'promotions').length > 0 && (
            <Notice kind="info">Promotions are unavailable right now.</Notice>
          )}
          <h1>Shop by category</h1>
          <ul class="category-cards">
            {data.categories.map((category) => (
              <li key={category.slug}>
                <a href={`/c/${category.slug}`}>{category.name}</a>
              </li>
            ))}
          </ul>
          <h2>New in</h2>
          <ProductGrid label="New in">
            {data.products.edges.map(({ node }) => (
              <ProductTile key={node.id} product={node} />
            ))}
          </ProductGrid>
        </>
      )}
    </Layout>
  );
}
