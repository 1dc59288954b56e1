import { parseInstant } from '../../common/time/local-time';
import { Outcome, OUTCOMES } from './outcomes';

/** The columns of an imported appointment, in JSON and as the header of a CSV file. */
export const IMPORT_COLUMNS = ['legacyId', 'siteId', 'adviserId', 'appointmentType', 'customerReference', 'bookedAt', 'start', 'referralSource', 'mandatory', 'outcome'] as const;
export const MAX_IMPORT_ROWS = 50_000;
const REFERRAL_SOURCES = ['jcp', 'partner', 'self'] as const;

export interface ImportRow {
  legacyId: string;
  siteId: string;
  adviserId: string;
  appointmentType: string;
  customerReference: string;
  bookedAt: number;
  start: number;
  referralSource: (typeof REFERRAL_SOURCES)[number];
  mandatory: boolean;
  outcome: Outcome;
}

export interface Rejection {
  /** 1 for the first row of `rows` (or the first line under a CSV header). */
  row: number;
  code: string;
  message: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE = /^[A-Z][A-Z0-9_]{1,39}$/;

class RowError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function text(value: unknown, column: string, max: number): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) throw new RowError('INVALID_VALUE', `${column} must be text of 1 to ${max} characters`);
  return value.trim();
}

function matching(value: unknown, column: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value.trim())) throw new RowError('INVALID_VALUE', `${column} must be ${what}`);
  return value.trim();
}

function oneOf<T extends string>(value: unknown, column: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value.trim() as T)) throw new RowError('INVALID_VALUE', `${column} must be one of ${allowed.join(', ')}`);
  return value.trim() as T;
}

function instant(value: unknown, column: string): number {
  const parsed = typeof value === 'string' ? parseInstant(value.trim()) : null;
  if (parsed === null) throw new RowError('INVALID_DATE', `${column} must be an ISO 8601 date-time with an offset, e.g. 2026-03-02T10:00:00Z`);
  return parsed;
}

// CSV has no booleans, so the words a spreadsheet writes are taken too.
function flag(value: unknown, column: string): boolean {
  if (typeof value === 'boolean') return value;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (['true', 'yes', '1'].includes(word)) return true;
  if (['false', 'no', '0'].includes(word)) return false;
  throw new RowError('INVALID_VALUE', `${column} must be true or false`);
}

function checkRow(raw: unknown, now: number): ImportRow {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RowError('INVALID_ROW', 'A row must be an object with the import columns');
  const r = raw as Record<string, unknown>;
  const missing = IMPORT_COLUMNS.filter((c) => r[c] === undefined || r[c] === null || r[c] === '');
  if (missing.length) throw new RowError('MISSING_FIELD', `Missing ${missing.join(', ')}`);
  const row: ImportRow = {
    legacyId: text(r.legacyId, 'legacyId', 100),
    siteId: matching(r.siteId, 'siteId', UUID, 'a UUID').toLowerCase(),
    adviserId: matching(r.adviserId, 'adviserId', UUID, 'a UUID').toLowerCase(),
    appointmentType: matching(r.appointmentType, 'appointmentType', CODE, 'an appointment type code'),
    customerReference: text(r.customerReference, 'customerReference', 100),
    bookedAt: instant(r.bookedAt, 'bookedAt'),
    start: instant(r.start, 'start'),
    referralSource: oneOf(r.referralSource, 'referralSource', REFERRAL_SOURCES),
    mandatory: flag(r.mandatory, 'mandatory'),
    outcome: oneOf(r.outcome, 'outcome', OUTCOMES),
  };
  // History is what has happened: an appointment still to come belongs in the diary.
  if (row.start > now) throw new RowError('DATE_OUT_OF_RANGE', 'start is in the future; only past appointments can be imported');
  if (row.bookedAt > row.start) throw new RowError('DATE_OUT_OF_RANGE', 'bookedAt is after start');
  return row;
}

/**
 * Checks each row on its own, so that good rows are taken whatever is wrong with the
 * others. A legacy id given twice in one import is refused on every row that has it:
 * which of them is right cannot be known.
 */
export function checkImportRows(raws: readonly unknown[], now: number): { rows: { row: number; value: ImportRow }[]; rejected: Rejection[] } {
  const rows: { row: number; value: ImportRow }[] = [];
  const rejected: Rejection[] = [];
  raws.forEach((raw, i) => {
    try {
      rows.push({ row: i + 1, value: checkRow(raw, now) });
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      rejected.push({ row: i + 1, code: error.code, message: error.message });
    }
  });
  const seen = new Map<string, number[]>();
  for (const { row, value } of rows) seen.set(value.legacyId, [...(seen.get(value.legacyId) ?? []), row]);
  const duplicated = new Set([...seen.values()].filter((at) => at.length > 1).flat());
  for (const { row, value } of rows.filter((r) => duplicated.has(r.row))) {
    rejected.push({ row, code: 'DUPLICATE_LEGACY_ID', message: `legacyId ${value.legacyId} is on rows ${seen.get(value.legacyId)!.join(', ')}` });
  }
  return { rows: rows.filter((r) => !duplicated.has(r.row)), rejected: rejected.sort((a, b) => a.row - b.row) };
}
