import type { ErrorRequestHandler, RequestHandler } from 'express';
import { json, text, urlencoded } from 'body-parser';

/**
 * No body of this API nests more than a few levels, but JSON.parse accepts any depth and
 * class-transformer recurses once per level: a few thousand levels, well under the size
 * limit, overflow its stack.
 */
export const MAX_BODY_DEPTH = 32;

// Looks no deeper than `levels`, so that its own recursion is bounded too.
const deeperThan = (value: unknown, levels: number): boolean =>
  value !== null && typeof value === 'object' && (levels === 0 || Object.values(value).some((child) => deeperThan(child, levels - 1)));

// Checks what either parser made: the form parser (extended: false) cannot nest today, but this holds if that changes.
const depthLimit: RequestHandler = (request, _response, next) => {
  if (deeperThan(request.body, MAX_BODY_DEPTH)) return next(Object.assign(new Error('Body nested too deep'), { status: 400, type: 'entity.too.deep' }));
  next();
};

const BODY_ERRORS: Record<string, [string, string]> = {
  'entity.parse.failed': ['INVALID_JSON', 'The request body is not valid JSON'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'The request body is too large (100 kB; 16 MB for bulk imports)'],
  'charset.unsupported': ['UNSUPPORTED_CHARSET', 'Send JSON in UTF-8'],
  'encoding.unsupported': ['UNSUPPORTED_ENCODING', 'The Content-Encoding is not supported'],
  'entity.too.deep': ['JSON_TOO_DEEP', `The request body nests objects or arrays more than ${MAX_BODY_DEPTH} levels deep`],
};

/** Routes that take bulk uploads: larger bodies, and CSV as well as JSON. */
export const BULK_ROUTES = ['/v1/history/import'];
const BULK_LIMIT = '16mb';

/**
 * The JSON body parser, the form parser (Twilio posts its callbacks as forms), a nesting
 * depth limit on what they parsed, and an error handler right behind them that answers
 * their errors in the API's own shape. Nest's exception layer would otherwise see them with
 * their type stripped (invalid JSON) or not as HTTP errors at all (a bad charset or encoding).
 */
export function jsonBody(): (RequestHandler | ErrorRequestHandler)[] {
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    const status = Number(error?.status ?? error?.statusCode);
    if (!(status >= 400 && status < 500)) return next(error);
    const [code, message] = BODY_ERRORS[error.type] ?? ['INVALID_BODY', 'The request body could not be read'];
    response.status(status).json({ code, message });
  };
  // A parser that has read a body marks the request, so the general ones behind skip it.
  const bulk: RequestHandler[] = [json({ limit: BULK_LIMIT }), text({ type: ['text/csv', 'application/csv'], limit: BULK_LIMIT })];
  const onBulkRoutes: RequestHandler = (request, response, next) => {
    if (!BULK_ROUTES.includes(request.path)) return next();
    bulk[0](request, response, (error?: unknown) => (error ? next(error) : bulk[1](request, response, next)));
  };
  return [onBulkRoutes, json({ limit: '100kb' }), urlencoded({ extended: false, limit: '100kb' }), depthLimit, onError];
}
