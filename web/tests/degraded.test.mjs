// The storefront with one subgraph down (the Rust test stops it and names it in
// STOREFRONT_DOWN): the page degrades instead of breaking.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { STOREFRONT_URL, launch, shopper, withScreenshots } from './browser.mjs';

const DOWN = process.env.STOREFRONT_DOWN;
let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test(`the product page with ${DOWN} down still shows what the other subgraphs serve`, async () => {
  await withScreenshots(`degraded-${DOWN}`, browser, async () => {
    const { page } = await shopper(browser);
    await page.goto(`${STOREFRONT_URL}/p/prod-000005`);
    await page.getByTestId('product-name').waitFor();
    assert.ok((await page.getByTestId('product-name').textContent()).length > 0);
    assert.ok((await page.getByTestId('product-description').textContent()).length > 0);
    if (DOWN === 'pricing') {
      await page.locator('.product').getByTestId('price-unavailable').waitFor();
      await page.getByTestId('recommendations').waitFor();
      const names = await page.getByTestId('recommendations').locator('.tile__name').allTextContents();
      assert.ok(names.length > 0 && names.every((name) => name.length > 0), `recommendations: ${names}`);
      assert.equal(await page.getByTestId('price').count(), 0, 'no price is made up');
    } else if (DOWN === 'recommendation') {
      await page.locator('.product').getByTestId('price').waitFor();
      assert.equal(await page.getByTestId('recommendations').count(), 0, 'the section hides');
    } else {
      assert.fail(`STOREFRONT_DOWN must be pricing or recommendation, not ${DOWN}`);
    }
    assert.equal(await page.getByTestId('notice-error').count(), 0, 'no error banner for a missing part');
  });
});
