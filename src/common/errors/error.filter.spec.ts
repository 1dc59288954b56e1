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

  describe('a datastore out of reach is worth a retry a few seconds on, logged as a warning', () => {
    const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, errno: -111, syscall: 'connect' });
    it.each([
      ['PostgreSQL refusing connections', socketError('ECONNREFUSED')],
      ['a connection reset', socketError('ECONNRESET')],
      ['every address refusing (AggregateError)', Object.assign(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')]), { code: 'ECONNREFUSED' })],
      ['a connection lost mid-query, as TypeORM wraps it', new QueryFailedError('COMMIT', [], new Error('Connection terminated unexpectedly'))],
      ['a pooled client that lost its connection', new Error('Client has encountered a connection error and is not queryable')],
      ['no connection within the pool timeout', new Error('timeout exceeded when trying to connect')],
      ['a connect that timed out', new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated unexpectedly') })],
      ['PostgreSQL shutting down (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
      ['PostgreSQL starting up (57P03)', pgError('57P03', 'the database system is starting up')],
      ['a connection exception (class 08)', pgError('08006', 'connection failure')],
      ['Redis gone, offline queue off', new Error("Stream isn't writeable and enableOfflineQueue options is false")],
      ['Redis connection closed', new Error('Connection is closed.')],
    ])('%s: 503 SERVICE_UNAVAILABLE with Retry-After', (_, dbError) => {
      expect(answer(dbError)).toEqual({ status: 503, body: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String) }, headers: { 'Retry-After': '5' } });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(error).not.toHaveBeenCalled();
    });

    it('but not an error that merely mentions a connection', () => {
      expect(answer(new Error('Connection is closed. Or so it says')).status).toBe(500);
      expect(answer(Object.assign(new Error('no such file'), { code: 'ENOENT' })).status).toBe(500);
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
