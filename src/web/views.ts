import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import nunjucks from 'nunjucks';

/** The service's own name, in the header where a GOV.UK service would have the crown. */
export const SERVICE_NAME = 'Careers booking';

// dist/govuk inside the package; nunjucks looks in its parent so templates say "govuk/...".
const GOVUK = dirname(require.resolve('govuk-frontend/dist/govuk/govuk-frontend.min.js'));
// views/ beside src/ and dist/ alike.
const VIEWS = join(__dirname, '..', '..', 'views');

// The compiled stylesheet points at /assets; the pages keep everything under /app.
const CSS = readFileSync(join(GOVUK, 'govuk-frontend.min.css'), 'utf8').replaceAll('url(/assets/', 'url(/app/assets/');
const JS = readFileSync(join(GOVUK, 'govuk-frontend.min.js'), 'utf8');
const APP_CSS = '.app-link-button{background:none;border:0;padding:0;cursor:pointer;font:inherit}.app-sign-out{display:inline}' +
  '.app-inline-form{display:inline-block;margin-right:10px}.app-inline-list li{display:inline-block;margin-right:20px}';
const APP_JS = "import { initAll } from '/app/assets/govuk-frontend.min.js'\ninitAll()\n";

/**
 * Compressed once, at start-up: uncompressed, the stylesheet and script alone are 180 KB of a
 * first visit (bench:pages), over the pages' 150 KB budget. Brotli, else gzip, else as it is.
 */
const serve = (type: string, body: string) => {
  const encoded: Record<string, Buffer> = {
    br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
    gzip: gzipSync(body, { level: constants.Z_BEST_COMPRESSION }),
  };
  return (request: Request, response: Response) => {
    response.type(type).setHeader('Cache-Control', 'public, max-age=86400');
    response.vary('Accept-Encoding');
    const encoding = request.acceptsEncodings('br', 'gzip');
    if (!encoding) return response.send(body);
    response.setHeader('Content-Encoding', encoding);
    response.send(encoded[encoding]);
  };
};

/**
 * Nunjucks over the app's views and govuk-frontend's templates, and the design system's
 * assets, served by the app itself. Configured once at start-up: nothing per request goes
 * into app.locals, which every request shares.
 */
export function configureViews(app: NestExpressApplication): void {
  const express = app.getHttpAdapter().getInstance();
  nunjucks.configure([VIEWS, join(GOVUK, '..')], { autoescape: true, express, noCache: false });
  app.setViewEngine('njk');
  express.get('/app/assets/govuk-frontend.min.css', serve('css', CSS));
  express.get('/app/assets/app.css', serve('css', APP_CSS));
  express.get('/app/assets/app.js', serve('js', APP_JS));
  express.get('/app/assets/govuk-frontend.min.js', serve('js', JS));
  app.useStaticAssets(join(GOVUK, 'assets'), { prefix: '/app/assets/', index: false, maxAge: '1d' });
}
