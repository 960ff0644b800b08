// The storefront's budgets, measured in Debian's Chromium against a running stack (run by
// `cargo xtask bench`, never as a timed test): JavaScript shipped on first load, time from
// navigation to the product page's price, and GraphQL requests per page view. Prints JSON.
import { STOREFRONT_URL, freshUser, graphqlIdle, launch, shopper, signIn } from './browser.mjs';

const PRODUCT_VIEWS = Number(process.env.BUDGET_PRODUCT_VIEWS ?? 30);

const browser = await launch();
try {
  const firstLoad = await measureFirstLoad();
  const priceVisibleMs = await measurePriceVisible();
  const requestsPerPage = await measureRequestsPerPage();
  console.log(JSON.stringify({ firstLoad, priceVisibleMs, requestsPerPage }, null, 2));
} finally {
  await browser.close();
}

/** Script bytes (as sent, gzip) and all bytes of the first visit to the home page. */
async function measureFirstLoad() {
  const { context, page } = await shopper(browser);
  const responses = [];
  page.on('response', (response) => responses.push(response));
  await page.goto(STOREFRONT_URL, { waitUntil: 'networkidle' });
  let scriptBytes = 0;
  let scriptBytesUncompressed = 0;
  let allBytes = 0;
  for (const response of responses) {
    const sizes = await response.request().sizes();
    allBytes += sizes.responseBodySize;
    if (response.request().resourceType() === 'script') {
      scriptBytes += sizes.responseBodySize;
      scriptBytesUncompressed += (await response.body()).length;
    }
  }
  await context.close();
  return { scriptBytes, scriptBytesUncompressed, allBytes };
}

/** Milliseconds from navigation start to the product's price on screen, per fresh load. */
async function measurePriceVisible() {
  const { context, page } = await shopper(browser);
  // Records, in the page, the moment the product's price is first in the document.
  await page.addInitScript(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('.product [data-testid="price"]')) {
        window.__priceVisibleAt = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(STOREFRONT_URL, { waitUntil: 'networkidle' }); // warm the HTTP cache and connections
  const times = [];
  for (let view = 0; view < PRODUCT_VIEWS; view++) {
    const id = `prod-${String(1 + ((view * 37) % 900)).padStart(6, '0')}`;
    await page.goto(`${STOREFRONT_URL}/p/${id}`, { waitUntil: 'commit' });
    const at = await page.waitForFunction(() => window.__priceVisibleAt);
    times.push(await at.jsonValue());
  }
  await context.close();
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { views: times.length, p50: at(0.5), p95: at(0.95), max: times.at(-1) };
}

/** GraphQL requests each page view makes, from a full load of that page. */
async function measureRequestsPerPage() {
  const { context, page, graphqlRequests } = await shopper(browser);
  await page.goto(STOREFRONT_URL);
  await signIn(page, freshUser('budget'));
  await page.locator('.product, [data-testid="product-tile"]').first().waitFor();
  await page.goto(`${STOREFRONT_URL}/p/prod-000002`);
  await page.locator('.product').getByTestId('add-to-cart').click();
  await page.getByTestId('cart-count').waitFor();
  const pages = {
    home: ['/', '[data-testid="product-tile"]'],
    category: ['/c/electronics', '[data-testid="product-tile"]'],
    search: ['/search?q=lamp', '[data-testid="result-count"]'],
    product: ['/p/prod-000003', '[data-testid="recommendations"]'],
    cart: ['/cart', '[data-testid="cart-line"]'],
  };
  const counts = {};
  for (const [name, [path, ready]] of Object.entries(pages)) {
    const before = graphqlRequests.length;
    await page.goto(`${STOREFRONT_URL}${path}`);
    await page.locator(ready).first().waitFor();
    await graphqlIdle(graphqlRequests);
    counts[name] = graphqlRequests.length - before;
  }
  await context.close();
  return counts;
}
