import { Injectable } from '@nestjs/common';
import { CsvError, parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { checkImportRows, IMPORT_COLUMNS, ImportRow, MAX_IMPORT_ROWS, Rejection } from './domain/history-import';
import { insertHistory } from './history-records';
import { ImportResultView } from './dto/insights.dto';

/**
 * Last year's appointments from a site's old diary system: history for DNA patterns and
 * the show model from day one. They never occupy a slot in today's diaries.
 */
@Injectable()
export class HistoryImportService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async import(body: unknown, now = this.clock.now()): Promise<ImportResultView> {
    const raws = typeof body === 'string' ? csvRows(body) : jsonRows(body);
    if (raws.length > MAX_IMPORT_ROWS) throw new AppError(400, 'TOO_MANY_ROWS', `Send at most ${MAX_IMPORT_ROWS.toLocaleString('en-GB')} rows a call (this had ${raws.length.toLocaleString('en-GB')})`);
    const checked = checkImportRows(raws, now);
    const { rows, rejected } = await this.checkReferences(checked.rows);
    const accepted = await this.dataSource.transaction((manager) => insertHistory((sql, params) => manager.query(sql, params), rows));
    return { accepted, unchanged: rows.length - accepted, rejected: [...checked.rejected, ...rejected].sort((a, b) => a.row - b.row) };
  }

  /** Rows naming a site, adviser or appointment type that does not exist are refused one by one. */
  private async checkReferences(rows: { row: number; value: ImportRow }[]): Promise<{ rows: ImportRow[]; rejected: Rejection[] }> {
    const known = async (sql: string, values: string[]) => new Set<string>((await this.dataSource.query(sql, [[...new Set(values)]])).map((r: { key: string }) => r.key));
    const [sites, advisers, types] = await Promise.all([
      known('SELECT id::text AS key FROM sites WHERE id = ANY ($1::uuid[])', rows.map((r) => r.value.siteId)),
      known('SELECT id::text AS key FROM advisers WHERE id = ANY ($1::uuid[])', rows.map((r) => r.value.adviserId)),
      known('SELECT code AS key FROM appointment_types WHERE code = ANY ($1::text[])', rows.map((r) => r.value.appointmentType)),
    ]);
    const rejected: Rejection[] = [];
    const good: ImportRow[] = [];
    for (const { row, value } of rows) {
      if (!sites.has(value.siteId)) rejected.push({ row, code: 'UNKNOWN_SITE', message: `No site with id ${value.siteId}` });
      else if (!advisers.has(value.adviserId)) rejected.push({ row, code: 'UNKNOWN_ADVISER', message: `No adviser with id ${value.adviserId}` });
      else if (!types.has(value.appointmentType)) rejected.push({ row, code: 'UNKNOWN_APPOINTMENT_TYPE', message: `No appointment type ${value.appointmentType}` });
      else good.push(value);
    }
    return { rows: good, rejected };
  }
}

function jsonRows(body: unknown): unknown[] {
  const rows = (body as { rows?: unknown } | null)?.rows;
  if (!Array.isArray(rows)) throw new AppError(400, 'INVALID_IMPORT', `Send {"rows":[...]} as JSON, or CSV (Content-Type: text/csv) with a header of ${IMPORT_COLUMNS.join(',')}`);
  return rows;
}

function csvRows(body: string): unknown[] {
  let records: string[][];
  try {
    records = parse(body, { bom: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    if (error instanceof CsvError) throw new AppError(400, 'INVALID_CSV', `The CSV could not be read: ${error.message}`);
    throw error;
  }
  const [header = [], ...lines] = records;
  const columns = header.map((c) => c.trim());
  const missing = IMPORT_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length) throw new AppError(400, 'MISSING_COLUMNS', `The CSV header lacks ${missing.join(', ')}`, { missing });
  return lines.map((line) => Object.fromEntries(columns.map((column, i) => [column, line[i]])));
}
