import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core: no browser is downloaded. The flags keep it
 * from reaching for Google's services, which a closed network refuses, many at a time.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

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

/** Presses Tab until the focus is on `selector`; returns how many presses it took. */
export async function tabTo(page: Page, selector: string, limit = 80): Promise<number> {
  for (let presses = 0; presses <= limit; presses++) {
    // A string, evaluated in the page: this project compiles without the DOM's types.
    if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`)) return presses;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tabbed ${limit} times without reaching ${selector}`);
}

/** A screenshot for the README, into docs/screenshots. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const folder = join(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(folder, { recursive: true });
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}
