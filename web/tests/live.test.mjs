// Live updates in a real browser: one shopper in two browser contexts (two devices), a change in
// one shown in the other's badge and cart page without a reload; a product page's prices when a
// promotion starts with no write the page could see; recovery after the router restarts. What
// only the harness can do (write a promotion, restart the router) it does when asked
// (`askHarness`).
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { STOREFRONT_URL, cents, freshUser, launch, shopper, signIn, withScreenshots } from './browser.mjs';

const HARNESS = process.env.STOREFRONT_HARNESS_DIR;
const PROMOTED = process.env.STOREFRONT_PROMOTED_PRODUCT;

/** Asks the Rust harness to do `step` and waits until it says it is done. */
async function askHarness(step) {
  assert.ok(HARNESS, 'STOREFRONT_HARNESS_DIR is set by the e2e test');
  writeFileSync(join(HARNESS, step), '');
  const done = join(HARNESS, `${step}.done`);
  const deadline = Date.now() + 60_000;
  while (!existsSync(done)) {
    assert.ok(Date.now() < deadline, `the harness did not do ${step}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One shopper signed in on two devices (browser contexts), each on the home page. */
async function twoDevices(user) {
  const devices = [await shopper(browser), await shopper(browser)];
  for (const { page } of devices) {
    await page.goto(STOREFRONT_URL);
    await signIn(page, user);
  }
  return devices;
}

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a change in one tab shows in the other device\'s badge and cart page without a reload', async () => {
  await withScreenshots('live-cart', browser, async () => {
    const [phone, laptop] = await twoDevices(freshUser('live'));
    await laptop.page.goto(`${STOREFRONT_URL}/cart`);
    await laptop.page.getByText('Your cart is empty').waitFor();
    await laptop.page.waitForSelector('[data-testid="cart-link"][data-live="live"]');

    await phone.page.getByTestId('product-tile').first().getByTestId('add-to-cart').click();
    await phone.page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor();
    // The laptop did not reload: its badge and its cart page follow.
    await laptop.page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor({ timeout: 5000 });
    await laptop.page.getByTestId('cart-line').first().waitFor({ timeout: 5000 });
    const total = await laptop.page.getByTestId('subtotal').getAttribute('data-amount');
    assert.ok(cents(total) > 0, `the live cart is priced: ${total}`);
    for (const { problems } of [phone, laptop]) assert.deepEqual(problems, []);
  });
});

test('a product page shows the new price when a promotion starts, with no reload', async () => {
  await withScreenshots('live-price', browser, async () => {
    assert.ok(PROMOTED, 'STOREFRONT_PROMOTED_PRODUCT is set by the e2e test');
    const { page, problems } = await shopper(browser);
    await page.goto(`${STOREFRONT_URL}/p/${PROMOTED}`);
    const price = page.locator('.product__price [data-testid="price"]');
    await price.waitFor();
    const before = await price.getAttribute('data-amount');
    assert.equal(await page.locator('.product__price [data-testid="compare-at"]').count(), 0, 'not promoted yet');
    // Give the subscription a moment to open, then a promotion that starts two seconds later.
    await page.waitForTimeout(1000);
    await askHarness('promotion');
    await page.locator('.product__price [data-testid="compare-at"]').waitFor({ timeout: 10_000 });
    const after = await price.getAttribute('data-amount');
    assert.ok(cents(after) < cents(before), `the price dropped: ${before} → ${after}`);
    assert.deepEqual(problems, []);
  });
});

test('the page says it is reconnecting while the router restarts, and recovers by itself', async () => {
  await withScreenshots('live-recovery', browser, async () => {
    const [phone, laptop] = await twoDevices(freshUser('recover'));
    await laptop.page.waitForSelector('[data-testid="cart-link"][data-live="live"]');
    // Record every state the page shows, and whether it told the shopper.
    await laptop.page.evaluate(() => {
      window.seenStates = [];
      const record = () => {
        const state = document.querySelector('[data-testid="cart-link"]')?.dataset.live;
        const told = document.querySelector('[data-testid="live-status"]') ? 'told' : null;
        for (const seen of [state, told]) if (seen && window.seenStates.at(-1) !== seen) window.seenStates.push(seen);
      };
      new MutationObserver(record).observe(document.body, { subtree: true, attributes: true, childList: true });
    });
    await askHarness('restart-router');
    // The stream was cut: the page says so, then reconnects with backoff.
    await laptop.page.waitForSelector('[data-testid="cart-link"][data-live="live"]', { timeout: 30_000 });
    await phone.page.getByTestId('product-tile').first().getByTestId('add-to-cart').click();
    await laptop.page.getByTestId('cart-count').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
    const seen = await laptop.page.evaluate(() => window.seenStates);
    assert.ok(seen.includes('reconnecting') && seen.includes('told'), `states seen: ${seen}`);
  });
});
