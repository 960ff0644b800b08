// A shopper's path through the storefront in a real browser, against the real stack: browse,
// search, switch currency, fill and change a cart, and the errors a person can run into.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  STOREFRONT_URL,
  cents,
  freshUser,
  graphqlIdle,
  launch,
  readmeScreenshot,
  shopper,
  signIn,
  withScreenshots,
} from './browser.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Waits until the page is done and its GraphQL traffic idle, then checks it made `count` requests in all. */
async function settled(page, requests, count) {
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
  await graphqlIdle(requests);
  assert.equal(requests.length, count, `GraphQL requests so far: ${requests.join(', ')}`);
}

test('home → category → product → cart: one request per page, subtotal = sum of line totals, cart survives a reload, no console errors', async () => {
  await withScreenshots('happy-path', browser, async () => {
    const { page, problems, graphqlRequests } = await shopper(browser);
    await page.goto(STOREFRONT_URL);
    await page.getByTestId('promotion').first().waitFor();
    await settled(page, graphqlRequests, 1);
    assert.deepEqual(graphqlRequests, ['Home'], 'the home page is one request: the router joins the subgraphs');
    await signIn(page, freshUser('happy'));
    await page.getByTestId('product-tile').first().waitFor();
    await readmeScreenshot(page, 'home');
    const before = graphqlRequests.length;

    await page.getByTestId('category-link').nth(2).click();
    await page.getByTestId('result-count').waitFor();
    await settled(page, graphqlRequests, before + 1);
    assert.equal(graphqlRequests.at(-1), 'CategoryListing');
    const firstPage = await page.getByTestId('product-tile').count();
    assert.ok(firstPage > 0);
    const loadMore = page.getByTestId('load-more');
    if (await loadMore.isVisible()) {
      await loadMore.click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="product-tile"]').length > n, firstPage);
    }

    await page.getByTestId('product-tile').first().locator('a').first().click();
    await page.getByTestId('product-name').waitFor();
    await page.getByTestId('recommendations').waitFor();
    const viewsBeforeProduct = graphqlRequests.filter((name) => name === 'ProductPage').length;
    assert.equal(viewsBeforeProduct, 1, 'the product page is one request');
    const productName = await page.getByTestId('product-name').textContent();
    await page.locator('.product').getByTestId('add-to-cart').click();
    await page.getByTestId('cart-count').filter({ hasText: /^1$/ }).waitFor();
    // A second product, from a recommendation card.
    await page.getByTestId('recommendations').getByTestId('add-to-cart').first().click();
    await page.getByTestId('cart-count').filter({ hasText: /^2$/ }).waitFor();
    await readmeScreenshot(page, 'product');

    const beforeCart = graphqlRequests.length;
    await page.getByTestId('cart-link').click();
    await page.getByTestId('cart-line').nth(1).waitFor();
    await settled(page, graphqlRequests, beforeCart + 1);
    assert.equal(graphqlRequests.at(-1), 'CartView');
    assert.ok((await page.getByTestId('cart-line').first().textContent()).includes(productName));

    const quantity = page.getByTestId('cart-line').first().getByTestId('quantity');
    await quantity.fill('3');
    await quantity.press('Enter');
    await page.getByTestId('cart-count').filter({ hasText: /^4$/ }).waitFor();
    await assertSubtotalIsSumOfLines(page);
    await readmeScreenshot(page, 'cart');

    await page.reload();
    await page.getByTestId('cart-line').nth(1).waitFor();
    assert.equal(await page.getByTestId('cart-count').textContent(), '4', 'the cart survives a reload');
    await assertSubtotalIsSumOfLines(page);

    // Adding a recommendation on the cart page shows its line at once.
    await page.getByTestId('cart-recommendations').getByTestId('add-to-cart').first().click();
    await page.getByTestId('cart-line').nth(2).waitFor();
    assert.equal(await page.getByTestId('cart-count').textContent(), '5');
    await assertSubtotalIsSumOfLines(page);

    await page.getByTestId('cart-line').nth(1).getByTestId('remove').click();
    await page.getByTestId('cart-count').filter({ hasText: /^4$/ }).waitFor();
    assert.equal(await page.getByTestId('cart-line').count(), 2);
    await page.getByTestId('clear-cart').click();
    await page.getByText('Your cart is empty').waitFor();

    assert.deepEqual(problems, [], 'no console errors on the happy path');
  });
});

async function assertSubtotalIsSumOfLines(page) {
  const lines = await page.getByTestId('line-total').evaluateAll((cells) => cells.map((cell) => cell.dataset.amount));
  const subtotal = await page.getByTestId('subtotal').getAttribute('data-amount');
  assert.equal(
    lines.reduce((sum, amount) => sum + cents(amount), 0),
    cents(subtotal),
    `subtotal ${subtotal} = ${lines.join(' + ')}`,
  );
}

test('search finds a product by a word of its name', async () => {
  await withScreenshots('search', browser, async () => {
    const { page } = await shopper(browser);
    await page.goto(STOREFRONT_URL);
    const name = await page.locator('.tile__name').first().textContent();
    const word = name.split(/\s+/).sort((a, b) => b.length - a.length)[0];
    await page.getByTestId('search-input').fill(word);
    await page.getByTestId('search-input').press('Enter');
    await page.getByTestId('result-count').waitFor();
    const count = Number((await page.getByTestId('result-count').textContent()).split(' ')[0]);
    assert.ok(count >= 1, `“${word}” found ${count}`);
    const names = await page.locator('.tile__name').allTextContents();
    assert.ok(
      names.some((found) => found.toLowerCase().includes(word.toLowerCase())),
      `a result named with “${word}”: ${names.join(', ')}`,
    );
  });
});

test('the currency switch changes every price on the page', async () => {
  await withScreenshots('currency', browser, async () => {
    const { page } = await shopper(browser);
    await page.goto(`${STOREFRONT_URL}/p/prod-000004`);
    await page.getByTestId('recommendations').waitFor();
    const currencies = () =>
      page.locator('[data-testid="price"], [data-testid="compare-at"]').evaluateAll((els) => els.map((el) => el.dataset.currency));
    const inUsd = await currencies();
    assert.ok(inUsd.length >= 5, `prices on the page: ${inUsd}`);
    assert.ok(inUsd.every((currency) => currency === 'USD'), `${inUsd}`);
    for (const currency of ['EUR', 'GBP']) {
      await page.getByTestId('currency').selectOption(currency);
      await page.waitForFunction(
        (wanted) => {
          const prices = [...document.querySelectorAll('[data-testid="price"], [data-testid="compare-at"]')];
          return prices.length > 0 && prices.every((el) => el.dataset.currency === wanted);
        },
        currency,
      );
      const now = await currencies();
      assert.equal(now.length, inUsd.length, 'every price switched, none lost');
    }
    await page.reload();
    await page.getByTestId('price').first().waitFor();
    assert.ok((await currencies()).every((currency) => currency === 'GBP'), 'the choice survives a reload');
  });
});

test('two shoppers in two browser contexts never see each other’s cart', async () => {
  await withScreenshots('two-carts', browser, async () => {
    const first = await shopper(browser);
    const second = await shopper(browser);
    for (const [session, user, product] of [
      [first, freshUser('ann'), 'prod-000021'],
      [second, freshUser('ben'), 'prod-000022'],
    ]) {
      await session.page.goto(`${STOREFRONT_URL}/p/${product}`);
      await signIn(session.page, user);
      await session.page.locator('.product').getByTestId('add-to-cart').click();
      await session.page.getByTestId('cart-count').filter({ hasText: /^1$/ }).waitFor();
    }
    for (const [session, own, other] of [
      [first, 'prod-000021', 'prod-000022'],
      [second, 'prod-000022', 'prod-000021'],
    ]) {
      await session.page.getByTestId('cart-link').click();
      await session.page.getByTestId('cart-line').first().waitFor();
      const lines = await session.page.getByTestId('cart-line').evaluateAll((rows) => rows.map((row) => row.dataset.productId));
      assert.deepEqual(lines, [own], `sees only its own cart, never ${other}`);
    }
  });
});

test('errors read as a person would want them: too many of an item, a product that is gone, signed out', async () => {
  await withScreenshots('errors', browser, async () => {
    const { page } = await shopper(browser);
    await page.goto(`${STOREFRONT_URL}/p/prod-000030`);
    await page.locator('.product').getByTestId('add-to-cart').click();
    await page.getByTestId('add-message').filter({ hasText: 'Sign in' }).waitFor();

    await signIn(page, freshUser('limits'));
    await page.locator('.product').getByTestId('add-to-cart').click();
    await page.getByTestId('cart-count').filter({ hasText: /^1$/ }).waitFor();
    await page.getByTestId('cart-link').click();
    const quantity = page.getByTestId('quantity').first();
    await quantity.fill('150');
    await quantity.press('Enter');
    await page.getByTestId('notice-error').filter({ hasText: 'between 1 and 99' }).waitFor();
    assert.equal(await page.getByTestId('cart-count').textContent(), '1', 'nothing changed');

    await page.goto(`${STOREFRONT_URL}/p/prod-999999`);
    await page.getByText('This product does not exist').waitFor();
  });
});
