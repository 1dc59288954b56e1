import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core: no browser is downloaded. The flags keep it
 * from reaching for Google's services, which a closed network refuses, many at a time.
 * Apart from browser.ts (which needs jest's globals) so that bench/pages.ts launches the same.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
