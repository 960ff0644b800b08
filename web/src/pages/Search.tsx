// Search results for the words in `?q=`, with how many products match in all.
import { useLocation } from 'preact-iso';
import { Layout } from '../components/Layout';
import { Notice, QueryStatus } from '../components/Notice';
import { ProductGrid, ProductTile } from '../components/ProductTile';
import { Search as SearchQuery } from '../graphql/operations';
import { useQuery, useShop } from '../shop';

export function Search() {
  const { query } = useLocation();
  const text = (query.q ?? '').trim();
  const { currency, session } = useShop();
  const { result, failure } = useQuery(SearchQuery, { text, first: 24, currency, signedIn: !!session });
  const data = result?.data;
  return (
    <Layout categories={data?.categories} cartCount={data?.cart?.totalQuantity}>
      <h1>Search: “{text}”</h1>
      <QueryStatus result={result} failure={failure} />
      {data && (
        <>
          <p class="muted" data-testid="result-count">
            {data.products.totalCount} {data.products.totalCount === 1 ? 'result' : 'results'}
          </p>
          {data.products.totalCount === 0 && <Notice kind="info">Nothing matches “{text}”. Try another word.</Notice>}
          <ProductGrid label="Search results">
            {data.products.edges.map(({ node }) => (
              <ProductTile key={node.id} product={node} caption={node.category.name} />
            ))}
          </ProductGrid>
        </>
      )}
    </Layout>
  );
}
