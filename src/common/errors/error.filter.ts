import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from './app-error';

const HTTP_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

type Answer = [status: number, code: string, message: string];

const SLOT_TAKEN: Answer = [409, 'SLOT_TAKEN', 'The adviser or the room is already busy at that time'];
const COLLIDED: Answer = [503, 'RETRY', 'The request collided with another one; retry it'];
const UNAVAILABLE: Answer = [503, 'SERVICE_UNAVAILABLE', 'A datastore this service needs is unreachable for now; retry after Retry-After seconds'];

/** Retry-After during an outage: a datastore that is away is usually restarting or failing over, which takes seconds. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

// A collision clears as soon as the other transaction ends.
const RETRY_AFTER: Record<string, string> = { RETRY: '1', SERVICE_UNAVAILABLE: String(OUTAGE_RETRY_AFTER_SECONDS) };

// An integrity violation that reaches here is either one a legitimate request can cause,
// listed below by constraint name, or a bug of ours (a path that skipped a check, a
// migration out of step with the code), which must be a 500 and an error in the log.
// No foreign key is listed: nothing a request refers to is ever deleted (a session only
// once empty, under the locks that joining it takes), and the other unique keys are
// written with ON CONFLICT, under a lock, or with random values.
const PG_CONSTRAINTS = new Map<string, Answer>([
  // The backstop behind the admission decision taken under the adviser's lock.
  ['sessions_booked_within_capacity', [409, 'SLOT_FULL', 'That slot is full']],
  // The last line behind the diary checks, refusing a clash whatever the code does (as the
  // README promises): the caller hears the slot is taken, the warning says a check missed it.
  ['sessions_adviser_no_overlap', SLOT_TAKEN],
  ['sessions_room_no_overlap', SLOT_TAKEN],
  // The services look for these before inserting, without a lock: two creates at once both pass.
  ['rooms_site_id_name_key', [409, 'ROOM_EXISTS', 'The site already has a room with that name']],
  ['appointment_types_code_key', [409, 'APPOINTMENT_TYPE_EXISTS', 'An appointment type with that code already exists']],
]);

const PG_CODES = new Map<string, Answer>([
  ['40001', COLLIDED],
  ['40P01', COLLIDED],
  ['53300', [503, 'RETRY', 'The service is busy; retry shortly']],
  // The server is shutting down, crashed or still starting (a restart or a failover).
  ['57P01', UNAVAILABLE],
  ['57P02', UNAVAILABLE],
  ['57P03', UNAVAILABLE],
]);

// Node's socket errors: the server refused the connection, dropped it, or is not reachable.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

// pg, pg-pool and ioredis say a connection was lost or could not be had by message alone.
const LOST_CONNECTION = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Connection is closed\.$/,
  /^Stream isn't writeable and enableOfflineQueue options is false$/,
  /^Reached the max retries per request limit/,
];

/**
 * Whether an error means a datastore is unreachable rather than that the request or our
 * code is wrong. TypeORM wraps the driver's error (driverError) and Node's connect wraps one
 * error per address (an AggregateError), so the causes are looked through as well.
 */
function unreachable(error: unknown, depth = 0): boolean {
  if (depth > 4 || error === null || typeof error !== 'object') return false;
  const { code, message, driverError, cause, errors } = error as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && SOCKET_CODES.has(code)) return true;
  if (typeof message === 'string' && LOST_CONNECTION.some((pattern) => pattern.test(message))) return true;
  return [driverError, cause, ...(Array.isArray(errors) ? errors : [])].some((inner) => unreachable(inner, depth + 1));
}

// Class 22 (data exception: a bad format, an out-of-range value, a NUL in text) is the
// caller's data that validation let through, whatever the exact code. Class 08 (connection
// exception) is the server unreachable or the connection lost.
const pgAnswer = (code: string, constraint: unknown): Answer | undefined =>
  (typeof constraint === 'string' ? PG_CONSTRAINTS.get(constraint) : undefined) ??
  PG_CODES.get(code) ??
  (code.startsWith('22') ? [400, 'INVALID_INPUT', 'A value has the wrong format or is out of range'] : undefined) ??
  (code.startsWith('08') ? UNAVAILABLE : undefined);

interface Described {
  status: number;
  body: object;
  headers: Record<string, string>;
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = this.describe(error);
    // A 503 is logged as a warning where it is recognised: an outage or a collision, no bug of ours.
    if (status >= 500 && status !== 503) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private describe(error: unknown): Described {
    if (error instanceof AppError) {
      return { status: error.status, body: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) }, headers: error.headers };
    }
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const message = status === 404 ? 'No such endpoint' : error.message;
      return { status, body: { code: HTTP_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'), message }, headers: {} };
    }
    const { code: pgCode, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
    const known = typeof pgCode === 'string' ? pgAnswer(pgCode, constraint) : undefined;
    if (known) {
      // Races, backstops and data that validation missed are rare, so each is worth a line in the log.
      this.logger.warn(`Database refused a request (${String(pgCode)}${constraint ? ` ${String(constraint)}` : ''}): ${(error as Error).message}`);
      return this.answer(known);
    }
    if (unreachable(error)) {
      // Every request during an outage lands here: a warning each, not an error, as no bug of ours is behind it.
      this.logger.warn(`A datastore is unreachable: ${(error as Error).message}`);
      return this.answer(UNAVAILABLE);
    }
    return { status: 500, body: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' }, headers: {} };
  }

  private answer([status, code, message]: Answer): Described {
    const retryAfter = RETRY_AFTER[code];
    return { status, body: { code, message }, headers: retryAfter ? { 'Retry-After': retryAfter } : {} };
  }
}
