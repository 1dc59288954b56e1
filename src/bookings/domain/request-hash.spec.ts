import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { canonicalJson, requestHash } from './request-hash';

const RUNS = { numRuns: 300 };

/** The same data with every object's keys inserted in reverse order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value !== null && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const key of Object.keys(value).reverse()) Object.defineProperty(result, key, { value: reorder((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
    return result;
  }
  return value;
}

/** JSON as data: normalises -0 and the like, as the request body would be. */
const asData = (value: unknown) => JSON.parse(JSON.stringify(value));
const jsonArb = fc.jsonValue({ maxDepth: 4 });

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('writes scalars as JSON does', () => {
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(null)).toBe('null');
  });

  it('drops undefined fields but keeps nulls', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
    expect(canonicalJson({ a: 1, b: null })).toBe('{"a":1,"b":null}');
    expect(canonicalJson({ n: { x: undefined, y: 2 } })).toBe('{"n":{"y":2}}');
  });

  it('is valid JSON that reads back as the same data', () => {
    fc.assert(
      fc.property(jsonArb, (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(asData(value));
      }),
      RUNS,
    );
  });

  it('does not depend on the order of keys', () => {
    fc.assert(fc.property(jsonArb, (value) => canonicalJson(reorder(value)) === canonicalJson(value)), RUNS);
  });
});

describe('requestHash', () => {
  it('is a 32-byte SHA-256 of the canonical JSON', () => {
    // sha256('{"a":1}') computed independently (e.g. `printf '{"a":1}' | sha256sum`).
    expect(requestHash({ a: 1 }).toString('hex')).toBe('015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862');
    expect(requestHash({ b: undefined, a: 1 })).toHaveLength(32);
  });

  it('ignores key order and undefined fields', () => {
    const body = { slot: { start: '2027-01-04T09:00:00Z', adviserId: 'x' }, customer: { name: 'Sam', reference: 'R1' } };
    const shuffled = { customer: { reference: 'R1', name: 'Sam', email: undefined }, slot: { adviserId: 'x', start: '2027-01-04T09:00:00Z' }, holdId: undefined };
    expect(requestHash(shuffled).equals(requestHash(body))).toBe(true);
  });

  it.each<[string, unknown, unknown]>([
    ['a number and its string', { a: 1 }, { a: '1' }],
    ['null and a missing field', { a: null }, {}],
    ['false and a missing field', { a: false }, {}],
    ['array order', { a: [1, 2] }, { a: [2, 1] }],
    ['a changed nested value', { s: { start: '2027-01-04T09:00:00Z' } }, { s: { start: '2027-01-04T09:05:00Z' } }],
    ['moving a field to another level', { a: { b: 1 } }, { a: {}, b: 1 }],
    ['a key containing the separators', { 'a":1,"b': 2 }, { a: 1, b: 2 }],
  ])('tells apart %s', (_name, a, b) => {
    expect(requestHash(a).equals(requestHash(b))).toBe(false);
  });

  it('gives the same hash exactly for the same data', () => {
    fc.assert(
      fc.property(jsonArb, jsonArb, (a, b) => {
        expect(requestHash(a).equals(requestHash(b))).toBe(isDeepStrictEqual(asData(a), asData(b)));
      }),
      RUNS,
    );
  });

  it('changes when any single leaf of a body changes', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.string(), fc.integer(), fc.boolean()), { minKeys: 1, maxKeys: 6 }), fc.nat(), (body, pick) => {
        const keys = Object.keys(body);
        const key = keys[pick % keys.length];
        const changed = { ...body, [key]: typeof body[key] === 'string' ? `${body[key]}x` : typeof body[key] === 'number' ? (body[key] as number) + 1 : !body[key] };
        expect(requestHash(changed).equals(requestHash(body))).toBe(false);
        expect(requestHash(reorder(body)).equals(requestHash(body))).toBe(true);
      }),
      RUNS,
    );
  });
});
