import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { AppUnderTest } from '../support/app';
import { uniq } from '../support/fixtures';
import { launchChromium } from './chromium';

/** The WCAG 2.2 AA rules that axe-core checks. */
const WCAG = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];

/** The page has this h1 and no accessibility violations that axe can find. */
export async function expectPage(page: Page, heading: string | RegExp): Promise<void> {
  const h1 = (await page.locator('h1').first().textContent())?.trim() ?? '';
  if (typeof heading === 'string') expect(h1).toBe(heading);
  else expect(h1).toMatch(heading);
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  expect(violations.map((v) => `${page.url()}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/**
 * Does `action` (a click or key press that submits a form) and waits for the page that
 * answers it. A form that posts to its own address and answers with its errors leaves the URL
 * as it was, so waitForURL would return at once, while the old page is still shown.
 */
export async function submitted(page: Page, action: () => Promise<unknown>): Promise<void> {
  const answered = page.waitForEvent('load');
  await action();
  await answered;
}

/** Presses Tab until the focus is on `selector`; returns how many presses it took. */
export async function tabTo(page: Page, selector: string, limit = 80): Promise<number> {
  for (let presses = 0; presses <= limit; presses++) {
    // A string, evaluated in the page: this project compiles without the DOM's types.
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return presses;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tabbed ${limit} times without reaching ${selector}`);
}

/**
 * 200% zoom on a 1280 by 800 screen, as a person who needs larger text has it: a viewport of
 * 640 by 400 CSS pixels, each drawn as 2 device pixels. Give it to newContext.
 */
export const ZOOM_200: BrowserContextOptions = { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 };

/**
 * The page reflows to its width (WCAG 1.4.10: nothing scrolls sideways) and `selector` (the
 * first such element) is reached with Tab from the top and shown whole once it has the focus.
 */
export async function expectReflows(page: Page, selector: string): Promise<void> {
  const widths = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  await page.evaluate('document.activeElement?.blur(); window.scrollTo(0, 0)');
  await tabTo(page, selector, 200);
  const box = await page.locator(':focus').boundingBox();
  const viewport = page.viewportSize()!;
  expect(box).not.toBeNull();
  expect([box!.x >= 0, box!.x + box!.width <= viewport.width, box!.y >= 0, box!.y + box!.height <= viewport.height]).toEqual([true, true, true, true]);
}

/** A screenshot for the README, into docs/screenshots. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const folder = join(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

export const PASSWORD = 'plum anchor tidal lantern';

/**
 * A browser for the tests of the enclosing describe block, launched before them and closed
 * after with every context they opened, and the staff they sign in as.
 */
export function useBrowser(e2e: AppUnderTest) {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });
  const newContext = async (options: BrowserContextOptions = {}): Promise<BrowserContext> => {
    // @axe-core/playwright needs a page of a context made this way, not browser.newPage().
    const context = await browser!.newContext(options);
    contexts.push(context);
    return context;
  };
  return {
    newContext,
    newPage: async (): Promise<Page> => (await newContext()).newPage(),
    /** A staff account (its email), with PASSWORD. */
    newStaff: async (role: string, organisationId: string, extra: Record<string, unknown> = {}): Promise<string> => {
      const email = `${role.replace('_', '.')}.${uniq().toLowerCase()}@careers.example`;
      await e2e.api.create('/v1/staff', { name: 'Jo Okafor', email, organisationId, role, password: PASSWORD, ...extra });
      return email;
    },
    signIn: async (page: Page, email: string, password = PASSWORD): Promise<void> => {
      await page.goto(`${e2e.app.url}/app/sign-in`);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await page.click('button:has-text("Sign in")');
    },
  };
}
