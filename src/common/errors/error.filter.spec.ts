import { ArgumentsHost, Logger } from '@nestjs/common';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { ErrorFilter } from './error.filter';

/** A PostgreSQL error as pg raises it: the server's message, its SQLSTATE and, for integrity errors, the constraint. */
function pgError(code: string, message: string, fields: Partial<Pick<DatabaseError, 'constraint' | 'table' | 'column'>> = {}): DatabaseError {
  return Object.assign(new DatabaseError(message, message.length, 'error'), { severity: 'ERROR', code, ...fields });
}

/** What the filter answers, as the HTTP response would carry it. */
function answer(error: unknown) {
  const sent = { status: 0, body: undefined as unknown, headers: {} as Record<string, string> };
  const response = {
    setHeader: (name: string, value: string) => void (sent.headers[name] = value),
    status: (status: number) => ((sent.status = status), response),
    json: (body: unknown) => ((sent.body = body), response),
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new ErrorFilter().catch(error, host);
  return sent;
}

const unique = (constraint: string) => pgError('23505', `duplicate key value violates unique constraint "${constraint}"`, { constraint });
const exclusion = (constraint: string) => pgError('23P01', `conflicting key value violates exclusion constraint "${constraint}"`, { constraint, table: 'sessions' });

describe('ErrorFilter: PostgreSQL errors', () => {
  let warn: jest.SpyInstance;
  let error: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('the constraints a request can breach are its answer, logged as a warning', () => {
    it.each([
      ['the capacity backstop', 409, 'SLOT_FULL', pgError('23514', 'new row for relation "sessions" violates check constraint "sessions_booked_within_capacity"', { constraint: 'sessions_booked_within_capacity', table: 'sessions' })],
      ['the adviser in two sessions at once', 409, 'SLOT_TAKEN', exclusion('sessions_adviser_no_overlap')],
      ['the room in two sessions at once', 409, 'SLOT_TAKEN', exclusion('sessions_room_no_overlap')],
      ['two rooms of one name created together', 409, 'ROOM_EXISTS', unique('rooms_site_id_name_key')],
      ['two appointment types of one code created together', 409, 'APPOINTMENT_TYPE_EXISTS', unique('appointment_types_code_key')],
    ])('%s: %i %s', (_, status, code, dbError) => {
      const sent = answer(dbError);
      expect({ status: sent.status, code: (sent.body as { code: string }).code }).toEqual({ status, code });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toContain(dbError.constraint);
      expect(error).not.toHaveBeenCalled();
    });
  });

  describe('data exceptions (class 22) are bad input', () => {
    it.each([
      ['a NUL in text', pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')],
      ['a number out of range', pgError('22003', 'integer out of range')],
      ['a timestamp out of range', pgError('22008', 'timestamp out of range')],
    ])('%s: 400 INVALID_INPUT', (_, dbError) => {
      expect(answer(dbError)).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(error).not.toHaveBeenCalled();
    });
  });

  describe('collisions and overload are worth a retry', () => {
    it.each([
      ['a serialization failure', pgError('40001', 'could not serialize access due to concurrent update')],
      ['a deadlock', pgError('40P01', 'deadlock detected')],
      ['too many connections', pgError('53300', 'sorry, too many clients already')],
    ])('%s: 503 RETRY with Retry-After', (_, dbError) => {
      expect(answer(dbError)).toEqual({ status: 503, body: { code: 'RETRY', message: expect.any(String) }, headers: { 'Retry-After': '1' } });
    });
  });

  describe('any other integrity violation is a bug of ours: 500, logged as an error', () => {
    it.each([
      ['a check constraint', pgError('23514', 'new row for relation "organisations" violates check constraint "organisations_name_check"', { constraint: 'organisations_name_check', table: 'organisations' })],
      ['a not-null column', pgError('23502', 'null value in column "name" of relation "sites" violates not-null constraint', { table: 'sites', column: 'name' })],
      ['a unique key', unique('customers_client_id_reference_key')],
      ['a primary key', unique('idempotency_keys_pkey')],
      ['a foreign key', pgError('23503', 'insert or update on table "bookings" violates foreign key constraint "bookings_session_id_fkey"', { constraint: 'bookings_session_id_fkey', table: 'bookings' })],
      ['an exclusion constraint not known here', exclusion('sessions_something_else')],
    ])('%s', (_, dbError) => {
      expect(answer(dbError)).toEqual({ status: 500, body: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' }, headers: {} });
      expect(error).toHaveBeenCalledTimes(1);
      expect(error.mock.calls[0][0]).toContain(dbError.message);
      expect(warn).not.toHaveBeenCalled();
    });
  });

  it('reads the error the same when TypeORM wraps it, as it does for every query', () => {
    const wrap = (dbError: DatabaseError) => new QueryFailedError('INSERT INTO rooms ...', [], dbError);
    expect(answer(wrap(unique('rooms_site_id_name_key')))).toMatchObject({ status: 409, body: { code: 'ROOM_EXISTS' } });
    expect(answer(wrap(unique('customers_client_id_reference_key')))).toMatchObject({ status: 500, body: { code: 'INTERNAL_ERROR' } });
    expect(answer(wrap(pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00')))).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
  });
});
