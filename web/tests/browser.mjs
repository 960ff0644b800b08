// What every browser test shares: Debian's Chromium driven by playwright-core (never a
// downloaded browser), a fresh profile per run, console errors collected, and screenshots of
// every open page when a test fails.
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const STOREFRONT_URL = required('STOREFRONT_URL');
export const GRAPHQL_URL = required('STOREFRONT_GRAPHQL_URL');
const SCREENSHOTS = process.env.STOREFRONT_SCREENSHOTS ?? join(tmpdir(), 'storefront-screenshots');

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the browser tests run from \`cargo xtask test\``);
  return value;
}

/**
 * Chromium with the flags this machine needs. Each launch gets a fresh, empty profile: Playwright
 * makes a new temporary --user-data-dir itself (and refuses one passed in the arguments).
 */
export async function launch() {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args });
}

/** A browser context whose pages record console errors, page errors and GraphQL requests. */
/** Each shopper's GraphQL traffic (requests in flight, last activity), by its request list. */
const trafficOf = new WeakMap();

export async function shopper(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  const graphqlRequests = [];
  // The GraphQL traffic's state, for waiting until it is idle (see `graphqlIdle`).
  const traffic = { inFlight: 0, lastActivity: Date.now() };
  trafficOf.set(graphqlRequests, traffic);
  // Subscriptions (streams that stay open) are not requests a page waits on.
  const isGraphql = (request) =>
    request.url().startsWith(GRAPHQL_URL) &&
    request.method() === 'POST' &&
    !(request.headers().accept ?? '').includes('text/event-stream');
  const ended = (request) => {
    if (!isGraphql(request)) return;
    traffic.inFlight -= 1;
    traffic.lastActivity = Date.now();
  };
  context.on('page', (page) => watch(page, problems));
  context.on('request', (request) => {
    if (isGraphql(request)) {
      graphqlRequests.push(JSON.parse(request.postData() ?? '{}').operationName);
      traffic.inFlight += 1;
      traffic.lastActivity = Date.now();
    }
  });
  context.on('requestfinished', ended);
  context.on('requestfailed', ended);
  const page = await context.newPage();
  return { context, page, problems, graphqlRequests };
}

/**
 * Resolves once the page's GraphQL traffic is idle: nothing in flight, and nothing sent or
 * answered for `quietMs` (a request the page sends after rendering, say, restarts the wait).
 */
export async function graphqlIdle(graphqlRequests, quietMs = 500) {
  const traffic = trafficOf.get(graphqlRequests);
  for (;;) {
    const quietFor = Date.now() - traffic.lastActivity;
    if (traffic.inFlight === 0 && quietFor >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(20, quietMs - quietFor)));
  }
}

function watch(page, problems) {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
}

/** Signs in through the header's dev sign-in as `user`. */
export async function signIn(page, user) {
  await page.getByTestId('user-input').fill(user);
  await page.getByTestId('sign-in').click();
  await page.getByTestId('signed-in-as').filter({ hasText: user }).waitFor();
}

/** A user name no other test (or earlier run) has used. */
export function freshUser(prefix) {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Exact decimal strings ("19.99") as integer cents. */
export function cents(amount) {
  const [whole, fraction = ''] = amount.split('.');
  const sign = whole.startsWith('-') ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, '0').slice(0, 2)));
}

/**
 * Runs `body`; when it throws, saves a screenshot of every page of `browser` under the test's
 * name before passing the failure on.
 */
export async function withScreenshots(name, browser, body) {
  try {
    return await body();
  } catch (error) {
    mkdirSync(SCREENSHOTS, { recursive: true });
    let index = 0;
    for (const context of browser.contexts()) {
      for (const page of context.pages()) {
        const path = join(SCREENSHOTS, `${name.replace(/\W+/g, '-')}-${index++}.png`);
        await page.screenshot({ path, fullPage: true }).catch(() => {});
        console.error(`screenshot: ${path} (${page.url()})`);
      }
    }
    throw error;
  }
}

/** Saves a screenshot for the README when STOREFRONT_README_SCREENSHOTS names a folder. */
export async function readmeScreenshot(page, name) {
  const folder = process.env.STOREFRONT_README_SCREENSHOTS;
  if (!folder) return;
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`) });
}
