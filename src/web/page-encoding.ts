import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Request, Response } from 'express';

// Per response, so zlib's everyday settings (brotli 5, gzip 6), not the best the assets get
// once at start-up; on zlib's thread pool, not the event loop.
const ENCODERS = {
  br: (html: string, done: (error: Error | null, body: Buffer) => void) => brotliCompress(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }, done),
  gzip: (html: string, done: (error: Error | null, body: Buffer) => void) => gzip(html, { level: 6 }, done),
};

/**
 * WHY only some requests: BREACH reads a secret out of a compressed page by making the
 * victim's browser ask for it many times with guesses in what the page echoes, and watching
 * the sizes. Its conditions are a secret in the page, input echoed beside it, and compression
 * of a request the attacker caused. The pages meet them apart from the last, which this closes:
 * - a page is compressed only when the browser says the request came from this service's own
 *   pages (Sec-Fetch-Site: same-origin) or from the person (none: typed, bookmarked, opened
 *   from a text); another site's link, form or script gets it uncompressed, and so does a
 *   browser that sends no such header, since it cannot tell;
 * - the CSRF token, the one secret another site could use, is masked afresh on every page
 *   (staff/domain/csrf.ts), so even a compressed page repeats nothing of it across requests;
 * - the session cookie is SameSite=Lax, so another site's scripts and images get the
 *   signed-out page anyway, and it travels in a header, which HTTP/1.1 does not compress.
 */
function sameOrigin(request: Request): boolean {
  const site = request.headers['sec-fetch-site'];
  return site === 'same-origin' || site === 'none';
}

/** Sends a rendered page, compressed (brotli, else gzip) when it is safe to and asked for. */
export function sendPage(request: Request, response: Response, html: string): void {
  response.vary('Accept-Encoding').vary('Sec-Fetch-Site');
  const encoding = sameOrigin(request) && request.acceptsEncodings('br', 'gzip');
  if (encoding !== 'br' && encoding !== 'gzip') {
    response.send(html);
    return;
  }
  ENCODERS[encoding](html, (error, body) => {
    // Never seen with a string in memory; the page as it is is still the right answer.
    if (error) return void response.send(html);
    response.type('html').setHeader('Content-Encoding', encoding);
    response.send(body);
  });
}
