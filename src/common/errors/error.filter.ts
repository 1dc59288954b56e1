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

// PostgreSQL errors that reach here mean the database refused what validation let through;
// they are the caller's problem, not ours, so they must not become 500s.
// Class 22 (data exception: a bad format, an out-of-range value, a NUL in text) is the
// caller's data, whatever the exact code.
const pgError = (code: string): [number, string, string] | undefined =>
  PG_CODES[code] ?? (code.startsWith('22') ? [400, 'INVALID_INPUT', 'A value has the wrong format or is out of range'] : undefined);

// Constraints whose breach means a conflict with other requests rather than bad input.
const PG_CONSTRAINTS: Record<string, [number, string, string]> = {
  sessions_booked_within_capacity: [409, 'SLOT_FULL', 'That slot is full'],
};

const PG_CODES: Record<string, [number, string, string]> = {
  '23514': [400, 'INVALID_INPUT', 'A value breaks a rule of the data model'],
  '23502': [400, 'INVALID_INPUT', 'A required value is missing'],
  '23503': [422, 'REFERENCE_NOT_FOUND', 'A referenced record does not exist'],
  '23505': [409, 'DUPLICATE', 'A record with these values already exists'],
  '23P01': [409, 'CONFLICT', 'This clashes with another session of the adviser or room'],
  '40001': [503, 'RETRY', 'The request collided with another one; retry it'],
  '40P01': [503, 'RETRY', 'The request collided with another one; retry it'],
  '53300': [503, 'RETRY', 'The service is busy; retry shortly'],
};

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
    const known = (typeof constraint === 'string' && PG_CONSTRAINTS[constraint]) || (typeof pgCode === 'string' ? pgError(pgCode) : undefined);
    if (known) {
      // Validation should have caught most of these first, so each is worth a line in the log.
      this.logger.warn(`Database refused a request (${String(pgCode)}${constraint ? ` ${String(constraint)}` : ''}): ${(error as Error).message}`);
      const [status, code, message] = known;
      return { status, body: { code, message }, headers: status === 503 ? { 'Retry-After': '1' } : {} };
    }
    return { status: 500, body: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' }, headers: {} };
  }
}
