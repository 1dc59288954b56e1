import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so that two bodies equal as data hash the same. */
export function canonicalJson(value: unknown): string {
  // As JSON.stringify does, undefined in an array stands as null.
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const requestHash = (body: unknown): Buffer => createHash('sha256').update(canonicalJson(body)).digest();
