import type { ErrorRequestHandler, RequestHandler } from 'express';
import { json, urlencoded } from 'body-parser';

const BODY_ERRORS: Record<string, [string, string]> = {
  'entity.parse.failed': ['INVALID_JSON', 'The request body is not valid JSON'],
  'entity.too.large': ['PAYLOAD_TOO_LARGE', 'The request body is larger than 100 kB'],
  'charset.unsupported': ['UNSUPPORTED_CHARSET', 'Send JSON in UTF-8'],
  'encoding.unsupported': ['UNSUPPORTED_ENCODING', 'The Content-Encoding is not supported'],
};

/**
 * The JSON body parser, the form parser (Twilio posts its callbacks as forms), and an
 * error handler right behind them that answers their errors in the API's own shape. Nest's exception layer would otherwise see them with their type
 * stripped (invalid JSON) or not as HTTP errors at all (a bad charset or encoding).
 */
export function jsonBody(): (RequestHandler | ErrorRequestHandler)[] {
  const onError: ErrorRequestHandler = (error, _request, response, next) => {
    const status = Number(error?.status ?? error?.statusCode);
    if (!(status >= 400 && status < 500)) return next(error);
    const [code, message] = BODY_ERRORS[error.type] ?? ['INVALID_BODY', 'The request body could not be read'];
    response.status(status).json({ code, message });
  };
  return [json({ limit: '100kb' }), urlencoded({ extended: false, limit: '100kb' }), onError];
}
