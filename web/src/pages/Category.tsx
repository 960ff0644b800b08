// A category's products, a page at a time: "Load more" asks for the next page after the last
// cursor and appends it.
import { useState } from 'preact/hooks';
import { Layout } from '../components/Layout';
import { Notice, QueryStatus } from '../components/Notice';
import { ProductGrid, ProductTile } from '../components/ProductTile';
import { execute } from '../graphql/client';
import { CategoryListing } from '../graphql/operations';
import { firstProblem } from '../errors';
import { useQuery, useShop } from '../shop';

const PAGE_SIZE = 24;

export function Category({ slug }: { slug: string }) {
  const { currency, session } = useShop();
  const variables = { slug, first: PAGE_SIZE, currency, signedIn: !!session };
  const { result, failure, setResult } = useQuery(CategoryListing, variables);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreProblem, setMoreProblem] = useState<string | null>(null);
  const data = result?.data;
  const category = data?.categories.find((candidate) => candidate.slug === slug);

  async function loadMore() {
    if (!data) return;
    setLoadingMore(true);
    setMoreProblem(null);
    try {
      const next = await execute(
        CategoryListing,
        { ...variables, after: data.products.pageInfo.endCursor },
        session?.token ?? null,
      );
      if (next.data) {
        setResult({
          data: { ...next.data, products: { ...next.data.products, edges: [...data.products.edges, ...next.data.products.edges] } },
          errors: next.errors,
        });
      } else {
        setMoreProblem(firstProblem(next.errors));
      }
    } catch (error) {
      setMoreProblem((error as Error).message);
    } finally {
      setLoadingMore(false);
    }
  }

  return (
    <Layout categories={data?.categories} cartCount={data?.cart?.totalQuantity}>
      <QueryStatus result={result} failure={failure} />
      {data && (
        <>
          <h1>{category?.name ?? slug}</h1>
          <p class="muted" data-testid="result-count">
            {data.products.totalCount} products
          </p>
          {data.products.totalCount === 0 && <Notice kind="info">No products in this category.</Notice>}
          <ProductGrid label="Products">
            {data.products.edges.map(({ node }) => (
              <ProductTile key={node.id} product={node} />
            ))}
          </ProductGrid>
          {moreProblem && <Notice>{moreProblem}</Notice>}
          {data.products.pageInfo.hasNextPage && (
            <button type="button" class="button button--wide" data-testid="load-more" disabled={loadingMore} onClick={loadMore}>
              {loadingMore ? 'Loading…' : `Load more (${data.products.edges.length} of ${data.products.totalCount})`}
            </button>
          )}
        </>
      )}
    </Layout>
  );
}
