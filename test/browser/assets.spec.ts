import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { Response } from 'playwright-core';
import { useTestApp } from '../support/app';
import { useBrowser } from './browser';

const GOVUK = 'node_modules/govuk-frontend/dist/govuk';

/** A GET with exactly these headers (fetch would add an Accept-Encoding of its own). */
function get(url: string, headers: Record<string, string>): Promise<{ headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('pages: the design system assets', () => {
  const e2e = useTestApp();
  const { newPage } = useBrowser(e2e);

  it('sends the stylesheet and script compressed to a browser, and the page is styled by them', async () => {
    const page = await newPage();
    const assets: Response[] = [];
    page.on('response', (r) => /\/app\/assets\/.*\.(css|js)$/.test(r.url()) && assets.push(r));
    await page.goto(`${e2e.app.url}/app/sign-in`, { waitUntil: 'networkidle' });
    expect(assets.map((r) => new URL(r.url()).pathname).sort()).toEqual(['/app/assets/app.css', '/app/assets/app.js', '/app/assets/govuk-frontend.min.css', '/app/assets/govuk-frontend.min.js']);
    for (const r of assets) expect([r.url(), await r.headerValue('content-encoding'), await r.headerValue('vary')]).toEqual([r.url(), expect.stringMatching(/^(gzip|br)$/), 'Accept-Encoding']);
    const css = assets.find((r) => r.url().endsWith('govuk-frontend.min.css'))!;
    expect((await css.request().sizes()).responseBodySize).toBeLessThan(30_000);
    // The browser decoded it: the design system's heading size, not the browser's own.
    expect(await page.evaluate('getComputedStyle(document.querySelector("h1")).fontFamily')).toContain('GDS Transport');
  });

  it('sends each encoding asked for, and the file as it is to a client that asks for none', async () => {
    const url = `${e2e.app.url}/app/assets/govuk-frontend.min.js`;
    const file = readFileSync(`${GOVUK}/govuk-frontend.min.js`);
    const plain = await get(url, {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(file)).toBe(true);
    const gzip = await get(url, { 'accept-encoding': 'gzip, deflate' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(file)).toBe(true);
    const br = await get(url, { 'accept-encoding': 'br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(file)).toBe(true);
  });
});
