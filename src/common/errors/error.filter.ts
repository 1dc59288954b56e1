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
]);

// Class 22 (data exception: a bad format, an out-of-range value, a NUL in text) is the
// caller's data that validation let through, whatever the exact code.
const pgAnswer = (code: string, constraint: unknown): Answer | undefined =>
  (typeof constraint === 'string' ? PG_CONSTRAINTS.get(constraint) : undefined) ??
  PG_CODES.get(code) ??
  (code.startsWith('22') ? [400, 'INVALID_INPUT', 'A value has the wrong format or is out of range'] : undefined);

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = this.describe(error);
    if (status >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  private describe(error: unknown): { status: number; body: object; headers: Record<string, string> } {
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
      const [status, code, message] = known;
      return { status, body: { code, message }, headers: status === 503 ? { 'Retry-After': '1' } : {} };
    }
    return { status: 500, body: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' }, headers: {} };
  }
}
