import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { IMPORT_COLUMNS } from '../../src/attendance/domain/history-import';
import { MAX_BODY_DEPTH } from '../../src/common/http/json-body';
import { Api, ApiResponse } from '../support/api';
import { useTestApp } from '../support/app';
import { bookingBody, createDiary, customer, fromHold, partnerKey, referral, slotRef } from '../support/fixtures';

// Every endpoint, fed what a careless or hostile client sends. Each answer must be a 4xx
// with a stable {code, message}, and a rejected request must leave the database as it was.

const CODE_SHAPE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;
const UNKNOWN = randomUUID();
const NIL = '00000000-0000-0000-0000-000000000000';
const BIG = 'x'.repeat(150 * 1024); // above the 100kb body limit

/** JSON text of `depth` objects one inside another: 5,000 deep is about 30 kB, well under the body limit. */
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** JSON text of `body` with one more field, `extra`, whose value is the JSON text given. */
const withExtra = (body: object, json: string) => `${JSON.stringify(body).slice(0, -1)},"extra":${json}}`;

/** Everything the table refers to, made once through the API. */
interface Fixture {
  organisationId: string;
  siteId: string;
  adviserId: string;
  typeCode: string;
  otherTypeCode: string;
  roomId: string;
  otherSiteRoomId: string;
  pastAdviserId: string;
  pastSiteId: string;
  pastTypeCode: string;
  bookingId: string;
  bookingStart: string;
  cancelledBookingId: string;
  liveHoldId: string;
  usedHoldId: string;
}

const DELETE = Symbol('delete');

/** A copy of `base` with dotted paths set to values (or removed with DELETE). */
function patch(base: unknown, edits: Record<string, unknown>): any {
  const copy = structuredClone(base) as any;
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split('.');
    let target = copy;
    for (const key of keys.slice(0, -1)) {
      if (target[key] === null || typeof target[key] !== 'object') target[key] = {};
      target = target[key];
    }
    const last = keys[keys.length - 1];
    if (value === DELETE) delete target[last];
    else target[last] = value;
  }
  return copy;
}

const qs = (params: Record<string, string | string[]>) => {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const item of Array.isArray(v) ? v : [v]) search.append(k, item);
  return search.toString();
};

// Valid bodies that the cases spoil one thing at a time.
const validOrganisation = { name: 'Lewisham Careers Hub', kind: 'partner' };
const validSite = { name: 'Lewisham Jobcentre Plus', kind: 'jobcentre', address: '6 Rushey Green, Catford, London', postcode: 'SE6 4JF' };
const validType = { code: 'BAD_INPUT_TYPE', name: 'Careers guidance', durationMinutes: 60, capacity: 1, channel: 'face_to_face', bufferMinutes: 0 };
const validAdviser = (f: Fixture) => ({ name: 'Priya Shah', email: 'priya.shah@careers.example', organisationId: f.organisationId, appointmentTypes: [f.typeCode] });
const validPattern = (f: Fixture) => ({ siteId: f.siteId, weekdays: ['SAT'], startTime: '09:00', endTime: '12:00', validFrom: '2027-01-04', appointmentTypes: [f.typeCode] });
const validException = { from: '2027-02-08', to: '2027-02-12', kind: 'leave', note: 'Annual leave' };
const validPolicy = { daysBefore: 2, daysBeforeAt: '10:00', hoursBefore: 3, quietFrom: '20:00', quietUntil: '08:00', minimumGapMinutes: 60 };
const validOutcome = { outcome: 'attended' };
const validTemplate = { step: 'same_day', channel: 'sms', variant: 'standard', body: 'Today {{time}}: {{appointment}} at {{site}}.' };

// Tuesday 8 June 2027 10:00 BST: free in the fixture's diary.
const FREE_START = '2027-06-08T10:00:00+01:00';
const validSlot = (f: Fixture, start = FREE_START) => slotRef(f, start);
const validBooking = (f: Fixture, start = FREE_START) => bookingBody(f, start, 'BAD-INPUT-1');
const validWaitlist = (f: Fixture) => ({ customer: customer('BAD-INPUT-WAIT'), referral, appointmentType: f.typeCode, siteIds: [f.siteId], earliest: '2027-06-07T09:00:00+01:00', latest: '2027-06-11T17:00:00+01:00' });
const validStaff = (f: Fixture) => ({ name: 'Jo Okafor', email: 'jo.okafor@jcp.example', organisationId: f.organisationId, role: 'work_coach', password: 'plum anchor tidal lantern' });
const validSearch = (f: Fixture): Record<string, string | string[]> => ({ appointmentType: f.typeCode, siteId: f.siteId, from: '2027-06-07', to: '2027-06-11' });

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: (f: Fixture) => string;
  /** An object is sent as JSON; a string is sent as it is, as the body of a JSON request. */
  body?: (f: Fixture) => unknown;
  headers?: Record<string, string>;
  /** The exact status, or any 4xx where more than one answer is reasonable. */
  status: number | '4xx';
  /** The exact code, where the API promises one. */
  code?: string;
}

const post = (name: string, path: (f: Fixture) => string, body: (f: Fixture) => unknown, status: number | '4xx', code?: string, headers?: Record<string, string>): Case => ({
  name,
  method: 'POST',
  path,
  body,
  status,
  code,
  headers,
});
const put = (...args: Parameters<typeof post>): Case => ({ ...post(...args), method: 'PUT' });
const get = (name: string, path: (f: Fixture) => string, status: number | '4xx', code?: string): Case => ({ name, method: 'GET', path, status, code });
const V = 'VALIDATION_FAILED';

/** The same few bad bodies apply to every POST (or PUT): malformed, not an object, too big, unknown fields. */
function envelopeCases(label: string, path: (f: Fixture) => string, valid: (f: Fixture) => object, send = post): Case[] {
  return [
    send(`${label}: malformed JSON`, path, () => '{"name": "x",', 400, 'INVALID_JSON'),
    send(`${label}: JSON null`, path, () => 'null', 400, 'INVALID_JSON'),
    send(`${label}: a bare JSON string`, path, () => '"hello"', 400, 'INVALID_JSON'),
    send(`${label}: a JSON array instead of an object`, path, () => '[]', 400, V),
    send(`${label}: an array of valid bodies`, path, (f) => [valid(f)], 400, V),
    send(`${label}: an empty object`, path, () => ({}), 400, V),
    send(`${label}: an unknown field`, path, (f) => ({ ...valid(f), isAdmin: true }), 400, V),
    send(`${label}: a body over 100kb`, path, (f) => ({ ...valid(f), padding: BIG }), 413, 'PAYLOAD_TOO_LARGE'),
    send(`${label}: valid JSON sent as text/plain`, path, (f) => JSON.stringify(valid(f)), 400, V, { 'Content-Type': 'text/plain' }),
  ];
}

/** Bodies the JSON parser itself refuses: it sits in front of every endpoint, so two endpoints stand for all. */
function transportCases(label: string, path: (f: Fixture) => string, valid: (f: Fixture) => object): Case[] {
  return [
    post(`${label}: a charset the parser does not support`, path, (f) => JSON.stringify(valid(f)), 415, 'UNSUPPORTED_CHARSET', { 'Content-Type': 'application/json; charset=iso-8859-1' }),
    post(`${label}: an unsupported Content-Encoding`, path, (f) => JSON.stringify(valid(f)), 415, 'UNSUPPORTED_ENCODING', { 'Content-Encoding': 'compress' }),
    post(`${label}: Content-Encoding gzip on a body that is not gzip`, path, (f) => JSON.stringify(valid(f)), 400, undefined, { 'Content-Encoding': 'gzip' }),
    post(`${label}: objects nested 5,000 deep`, path, () => nested(5000), 400, 'JSON_TOO_DEEP'),
    post(`${label}: arrays nested 5,000 deep`, path, () => `${'['.repeat(5000)}${']'.repeat(5000)}`, 400, 'JSON_TOO_DEEP'),
    post(`${label}: a field nested one level past the limit`, path, (f) => withExtra(valid(f), nested(MAX_BODY_DEPTH)), 400, 'JSON_TOO_DEEP'),
    post(`${label}: a field nested as deep as the limit allows`, path, (f) => withExtra(valid(f), nested(MAX_BODY_DEPTH - 1)), 400, V),
  ];
}

/** `path` is given the id to try, and the fixture for the rest of the path. */
const pathIdCases = (label: string, method: Case['method'], path: (id: string, f: Fixture) => string, body: (f: Fixture) => unknown, notFoundCode: string): Case[] => [
  { name: `${label}: a non-UUID id`, method, path: (f) => path('not-a-uuid', f), body: method === 'POST' || method === 'PUT' ? body : undefined, status: 400, code: 'INVALID_ID' },
  { name: `${label}: a numeric id`, method, path: (f) => path('12345', f), body: method === 'POST' || method === 'PUT' ? body : undefined, status: 400, code: 'INVALID_ID' },
  { name: `${label}: an SQL-injection id`, method, path: (f) => path(encodeURIComponent("1' OR '1'='1"), f), body: method === 'POST' || method === 'PUT' ? body : undefined, status: 400, code: 'INVALID_ID' },
  { name: `${label}: a UUID one character short`, method, path: (f) => path(UNKNOWN.slice(0, -1), f), body: method === 'POST' || method === 'PUT' ? body : undefined, status: 400, code: 'INVALID_ID' },
  { name: `${label}: an unknown id`, method, path: (f) => path(UNKNOWN, f), body: method === 'POST' || method === 'PUT' ? body : undefined, status: 404, code: notFoundCode },
  { name: `${label}: the nil UUID`, method, path: (f) => path(NIL, f), body: method === 'POST' || method === 'PUT' ? body : undefined, status: 404, code: notFoundCode },
];

const cases: Case[] = [
  // ---------------------------------------------------------------- POST /v1/organisations
  ...envelopeCases('POST /v1/organisations', () => '/v1/organisations', () => validOrganisation),
  ...transportCases('POST /v1/organisations', () => '/v1/organisations', () => validOrganisation),
  post('POST /v1/organisations: the fields only inside __proto__', () => '/v1/organisations', () => `{"__proto__": ${JSON.stringify(validOrganisation)}}`, 400, V),
  post('POST /v1/organisations: name missing', () => '/v1/organisations', () => patch(validOrganisation, { name: DELETE }), 400, V),
  post('POST /v1/organisations: kind missing', () => '/v1/organisations', () => patch(validOrganisation, { kind: DELETE }), 400, V),
  post('POST /v1/organisations: unknown kind', () => '/v1/organisations', () => patch(validOrganisation, { kind: 'cartel' }), 400, V),
  post('POST /v1/organisations: name is a number', () => '/v1/organisations', () => patch(validOrganisation, { name: 42 }), 400, V),
  post('POST /v1/organisations: name is an array', () => '/v1/organisations', () => patch(validOrganisation, { name: ['Lewisham'] }), 400, V),
  post('POST /v1/organisations: name is null', () => '/v1/organisations', () => patch(validOrganisation, { name: null }), 400, V),
  post('POST /v1/organisations: name is empty', () => '/v1/organisations', () => patch(validOrganisation, { name: '' }), 400, V),
  post('POST /v1/organisations: name of 201 characters', () => '/v1/organisations', () => patch(validOrganisation, { name: 'n'.repeat(201) }), 400, V),
  post('POST /v1/organisations: name with a NUL character', () => '/v1/organisations', () => patch(validOrganisation, { name: 'Bad\u0000Name' }), 400),

  // --------------------------------------------------- POST /v1/organisations/:id/api-keys
  ...pathIdCases('POST /v1/organisations/:id/api-keys', 'POST', (id) => `/v1/organisations/${id}/api-keys`, () => ({ scopes: ['slots:read'] }), 'ORGANISATION_NOT_FOUND'),
  ...envelopeCases('POST /v1/organisations/:id/api-keys', (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({ scopes: ['slots:read'] })),
  post('POST api-keys: scopes missing', (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({}), 400, V),
  post('POST api-keys: scopes empty', (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({ scopes: [] }), 400, V),
  post('POST api-keys: an unknown scope', (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({ scopes: ['root'] }), 400, V),
  post('POST api-keys: scopes as a string', (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({ scopes: 'admin' }), 400, V),
  post('POST api-keys: a repeated scope', (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({ scopes: ['admin', 'admin'] }), 400, V),
  post('POST api-keys: a scope that is not a string', (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({ scopes: [{ scope: 'admin' }] }), 400, V),
  ...(
    [
      ['not a date-time', 'next year', V],
      ['without an offset', '2027-06-08T10:00:00', V],
      ['a date alone', '2027-06-08', V],
      ['a day that does not exist', '2027-02-30T10:00:00Z', V],
      ['after 2099', '2100-01-01T00:00:00Z', V],
      ['epoch milliseconds', 1_812_000_000_000, V],
      ['null', null, V],
      ['in the past', '2020-01-01T00:00:00Z', 'EXPIRY_IN_PAST'],
    ] as const
  ).map(([what, expiresAt, code]) => post(`POST api-keys: expiresAt ${what}`, (f) => `/v1/organisations/${f.organisationId}/api-keys`, () => ({ scopes: ['slots:read'], expiresAt }), 400, code)),

  // ---------------------------------------------------- GET /v1/organisations/:id/api-keys
  ...pathIdCases('GET /v1/organisations/:id/api-keys', 'GET', (id) => `/v1/organisations/${id}/api-keys`, () => undefined, 'ORGANISATION_NOT_FOUND'),

  // ------------------------------------------ DELETE /v1/organisations/:id/api-keys/:keyId
  ...pathIdCases('DELETE api-keys/:keyId, the organisation', 'DELETE', (id) => `/v1/organisations/${id}/api-keys/${UNKNOWN}`, () => undefined, 'ORGANISATION_NOT_FOUND'),
  ...pathIdCases('DELETE api-keys/:keyId, the key', 'DELETE', (id, f) => `/v1/organisations/${f.organisationId}/api-keys/${id}`, () => undefined, 'API_KEY_NOT_FOUND'),

  // ---------------------------------------------------------------------- POST /v1/sites
  ...envelopeCases('POST /v1/sites', () => '/v1/sites', () => validSite),
  post('POST /v1/sites: name missing', () => '/v1/sites', () => patch(validSite, { name: DELETE }), 400, V),
  post('POST /v1/sites: unknown kind', () => '/v1/sites', () => patch(validSite, { kind: 'castle' }), 400, V),
  post('POST /v1/sites: address of 501 characters', () => '/v1/sites', () => patch(validSite, { address: 'a'.repeat(501) }), 400, V),
  post('POST /v1/sites: not a UK postcode', () => '/v1/sites', () => patch(validSite, { postcode: 'NOT A POSTCODE' }), 400, V),
  post('POST /v1/sites: a US zip code', () => '/v1/sites', () => patch(validSite, { postcode: '90210' }), 400, V),
  post('POST /v1/sites: postcode is a number', () => '/v1/sites', () => patch(validSite, { postcode: 12345 }), 400, V),
  post('POST /v1/sites: time zone Mars/Olympus', () => '/v1/sites', () => patch(validSite, { timezone: 'Mars/Olympus' }), 400, V),
  post('POST /v1/sites: time zone as an offset string', () => '/v1/sites', () => patch(validSite, { timezone: '+01:00 BST' }), 400, V),
  post('POST /v1/sites: time zone is a number', () => '/v1/sites', () => patch(validSite, { timezone: 1 }), 400, V),
  post('POST /v1/sites: opening time 25:00', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': { open: '25:00', close: '26:00' } }), 400, V),
  post('POST /v1/sites: opening time 9:00 (no leading zero)', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': { open: '9:00', close: '17:00' } }), 400, V),
  post('POST /v1/sites: opening time 09:60', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': { open: '09:60', close: '17:00' } }), 400, V),
  post('POST /v1/sites: closes before it opens', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': { open: '17:00', close: '09:00' } }), 400, 'INVALID_OPENING_HOURS'),
  post('POST /v1/sites: closes when it opens', () => '/v1/sites', () => patch(validSite, { 'openingHours.TUE': { open: '09:00', close: '09:00' } }), 400, 'INVALID_OPENING_HOURS'),
  post('POST /v1/sites: opening hours for FUNDAY', () => '/v1/sites', () => patch(validSite, { 'openingHours.FUNDAY': { open: '09:00', close: '17:00' } }), 400, V),
  post('POST /v1/sites: a day without a close', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': { open: '09:00' } }), 400, V),
  post('POST /v1/sites: a day as a string', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': '09:00-17:00' }), 400, V),
  post('POST /v1/sites: a day as an empty array', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': [] }), 400, V),
  post('POST /v1/sites: a day as an array of hours', () => '/v1/sites', () => patch(validSite, { 'openingHours.MON': [{ open: '09:00', close: '17:00' }] }), 400, V),
  post('POST /v1/sites: opening hours as an array', () => '/v1/sites', () => patch(validSite, { openingHours: [{ open: '09:00', close: '17:00' }] }), 400, V),
  post('POST /v1/sites: opening hours as a string', () => '/v1/sites', () => patch(validSite, { openingHours: 'Mon-Fri 9-5' }), 400, V),
  post('POST /v1/sites: negative minimum notice', () => '/v1/sites', () => patch(validSite, { minNoticeMinutes: -1 }), 400, V),
  post('POST /v1/sites: minimum notice above 14 days', () => '/v1/sites', () => patch(validSite, { minNoticeMinutes: 20161 }), 400, V),
  post('POST /v1/sites: fractional minimum notice', () => '/v1/sites', () => patch(validSite, { minNoticeMinutes: 1.5 }), 400, V),
  post('POST /v1/sites: minimum notice as a string', () => '/v1/sites', () => patch(validSite, { minNoticeMinutes: '30' }), 400, V),
  post('POST /v1/sites: minimum notice of 1e308', () => '/v1/sites', () => patch(validSite, { minNoticeMinutes: 1e308 }), 400, V),
  post('POST /v1/sites: unknown bank holiday region', () => '/v1/sites', () => patch(validSite, { bankHolidays: 'USA' }), 400, V),
  post('POST /v1/sites: name with a NUL character', () => '/v1/sites', () => patch(validSite, { name: 'Bad\u0000Site' }), 400),
  post('POST /v1/sites: latitude 91', () => '/v1/sites', () => patch(validSite, { latitude: 91, longitude: 0 }), 400, V),
  post('POST /v1/sites: longitude -181', () => '/v1/sites', () => patch(validSite, { latitude: 51.5, longitude: -181 }), 400, V),
  post('POST /v1/sites: latitude as a string', () => '/v1/sites', () => patch(validSite, { latitude: '51.5', longitude: 0 }), 400, V),
  post('POST /v1/sites: latitude without longitude', () => '/v1/sites', () => patch(validSite, { latitude: 51.5 }), 400, V),
  post('POST /v1/sites: an empty area', () => '/v1/sites', () => patch(validSite, { area: '' }), 400, V),
  post('POST /v1/sites: an area of 101 characters', () => '/v1/sites', () => patch(validSite, { area: 'a'.repeat(101) }), 400, V),

  // ----------------------------------------------------------- PUT /v1/sites/:id/location
  ...pathIdCases('PUT /v1/sites/:id/location', 'PUT', (id) => `/v1/sites/${id}/location`, () => ({ area: 'South London' }), 'SITE_NOT_FOUND'),
  ...envelopeCases('PUT /v1/sites/:id/location', (f) => `/v1/sites/${f.siteId}/location`, () => ({ area: 'South London' }), put),
  put('PUT location: longitude without latitude', (f) => `/v1/sites/${f.siteId}/location`, () => ({ longitude: -0.02 }), 400, V),
  put('PUT location: latitude -90.5', (f) => `/v1/sites/${f.siteId}/location`, () => ({ latitude: -90.5, longitude: 0 }), 400, V),
  put('PUT location: latitude NaN as text', (f) => `/v1/sites/${f.siteId}/location`, () => ({ latitude: 'NaN', longitude: 0 }), 400, V),
  put('PUT location: area as a number', (f) => `/v1/sites/${f.siteId}/location`, () => ({ area: 7 }), 400, V),

  // ------------------------------------------------------------- POST /v1/sites/:id/rooms
  ...pathIdCases('POST /v1/sites/:id/rooms', 'POST', (id) => `/v1/sites/${id}/rooms`, () => ({ name: 'Room 9', capacity: 2 }), 'SITE_NOT_FOUND'),
  ...envelopeCases('POST /v1/sites/:id/rooms', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Room 9', capacity: 2 })),
  post('POST rooms: capacity 0', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Room 9', capacity: 0 }), 400, V),
  post('POST rooms: capacity 501', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Room 9', capacity: 501 }), 400, V),
  post('POST rooms: capacity 1.5', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Room 9', capacity: 1.5 }), 400, V),
  post('POST rooms: capacity as a string', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Room 9', capacity: '2' }), 400, V),
  post('POST rooms: capacity missing', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Room 9' }), 400, V),
  post('POST rooms: name missing', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ capacity: 2 }), 400, V),
  post('POST rooms: name is an array', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: ['Room 9'], capacity: 2 }), 400, V),
  post('POST rooms: a name the site already has', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Interview room 1', capacity: 2 }), 409, 'ROOM_EXISTS'),
  post('POST rooms: name with a NUL character', (f) => `/v1/sites/${f.siteId}/rooms`, () => ({ name: 'Room\u00009', capacity: 2 }), 400),

  // ---------------------------------------------------------- POST /v1/sites/:id/closures
  ...pathIdCases('POST /v1/sites/:id/closures', 'POST', (id) => `/v1/sites/${id}/closures`, () => ({ date: '2027-08-23', reason: 'Maintenance' }), 'SITE_NOT_FOUND'),
  ...envelopeCases('POST /v1/sites/:id/closures', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-08-23', reason: 'Maintenance' })),
  post('POST closures: 30 February', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-02-30', reason: 'Maintenance' }), 400, V),
  post('POST closures: month 13', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-13-01', reason: 'Maintenance' }), 400, V),
  post('POST closures: a two-digit year', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '27-08-23', reason: 'Maintenance' }), 400, V),
  post('POST closures: a UK-style date', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '23/08/2027', reason: 'Maintenance' }), 400, V),
  post('POST closures: a date-time instead of a date', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-08-23T00:00:00Z', reason: 'Maintenance' }), 400, V),
  post('POST closures: date as a number', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: 20270823, reason: 'Maintenance' }), 400, V),
  post('POST closures: reason missing', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-08-23' }), 400, V),
  post('POST closures: reason empty', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-08-23', reason: '' }), 400, V),
  post('POST closures: reason of 501 characters', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-08-23', reason: 'r'.repeat(501) }), 400, V),
  post('POST closures: a day already closed', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-08-20', reason: 'Again' }), 409, 'CLOSURE_EXISTS'),
  post('POST closures: reason with a NUL character', (f) => `/v1/sites/${f.siteId}/closures`, () => ({ date: '2027-08-23', reason: 'Main\u0000tenance' }), 400),

  // ------------------------------------------------------------------ GET /v1/sites/:id
  ...pathIdCases('GET /v1/sites/:id', 'GET', (id) => `/v1/sites/${id}`, () => undefined, 'SITE_NOT_FOUND'),
  get('GET /v1/sites/:id: a broken percent-encoding', () => '/v1/sites/%FF', 400),

  // ------------------------------------------------------- POST/GET /v1/appointment-types
  ...envelopeCases('POST /v1/appointment-types', () => '/v1/appointment-types', () => validType),
  post('POST appointment-types: code in lower case', () => '/v1/appointment-types', () => patch(validType, { code: 'careers_guidance' }), 400, V),
  post('POST appointment-types: code of one letter', () => '/v1/appointment-types', () => patch(validType, { code: 'A' }), 400, V),
  post('POST appointment-types: code of 41 characters', () => '/v1/appointment-types', () => patch(validType, { code: `A${'B'.repeat(40)}` }), 400, V),
  post('POST appointment-types: code starting with a digit', () => '/v1/appointment-types', () => patch(validType, { code: '1ST_MEETING' }), 400, V),
  post('POST appointment-types: code as an array', () => '/v1/appointment-types', () => patch(validType, { code: ['ABC'] }), 400, V),
  post('POST appointment-types: duration 4 minutes', () => '/v1/appointment-types', () => patch(validType, { durationMinutes: 4 }), 400, V),
  post('POST appointment-types: duration 481 minutes', () => '/v1/appointment-types', () => patch(validType, { durationMinutes: 481 }), 400, V),
  post('POST appointment-types: duration 30.5 minutes', () => '/v1/appointment-types', () => patch(validType, { durationMinutes: 30.5 }), 400, V),
  post('POST appointment-types: duration as a string', () => '/v1/appointment-types', () => patch(validType, { durationMinutes: '60' }), 400, V),
  post('POST appointment-types: capacity 0', () => '/v1/appointment-types', () => patch(validType, { capacity: 0 }), 400, V),
  post('POST appointment-types: capacity 201', () => '/v1/appointment-types', () => patch(validType, { capacity: 201 }), 400, V),
  post('POST appointment-types: unknown channel', () => '/v1/appointment-types', () => patch(validType, { channel: 'carrier_pigeon' }), 400, V),
  post('POST appointment-types: negative buffer', () => '/v1/appointment-types', () => patch(validType, { bufferMinutes: -5 }), 400, V),
  post('POST appointment-types: buffer of 121 minutes', () => '/v1/appointment-types', () => patch(validType, { bufferMinutes: 121 }), 400, V),
  post('POST appointment-types: name missing', () => '/v1/appointment-types', () => patch(validType, { name: DELETE }), 400, V),
  post('POST appointment-types: name with a NUL character', () => '/v1/appointment-types', () => patch(validType, { name: 'Careers\u0000guidance' }), 400),
  post('POST appointment-types: a code that exists', () => '/v1/appointment-types', (f) => patch(validType, { code: f.typeCode }), 409, 'APPOINTMENT_TYPE_EXISTS'),
  get('GET /v1/appointment-types/:code: no such endpoint', () => '/v1/appointment-types/CAREERS', 404, 'NOT_FOUND'),

  // ------------------------------------------------------------------- POST /v1/advisers
  ...envelopeCases('POST /v1/advisers', () => '/v1/advisers', validAdviser),
  post('POST advisers: name missing', () => '/v1/advisers', (f) => patch(validAdviser(f), { name: DELETE }), 400, V),
  post('POST advisers: not an e-mail address', () => '/v1/advisers', (f) => patch(validAdviser(f), { email: 'priya at careers' }), 400, V),
  post('POST advisers: e-mail as an array', () => '/v1/advisers', (f) => patch(validAdviser(f), { email: ['priya@careers.example'] }), 400, V),
  post('POST advisers: organisationId not a UUID', () => '/v1/advisers', (f) => patch(validAdviser(f), { organisationId: 'acme' }), 400, V),
  post('POST advisers: an unknown organisation', () => '/v1/advisers', (f) => patch(validAdviser(f), { organisationId: UNKNOWN }), 422, 'UNKNOWN_ORGANISATION'),
  post('POST advisers: no appointment types', () => '/v1/advisers', (f) => patch(validAdviser(f), { appointmentTypes: [] }), 400, V),
  post('POST advisers: appointment types as a string', () => '/v1/advisers', (f) => patch(validAdviser(f), { appointmentTypes: f.typeCode }), 400, V),
  post('POST advisers: a repeated appointment type', () => '/v1/advisers', (f) => patch(validAdviser(f), { appointmentTypes: [f.typeCode, f.typeCode] }), 400, V),
  post('POST advisers: an unknown appointment type', () => '/v1/advisers', (f) => patch(validAdviser(f), { appointmentTypes: [f.typeCode, 'NO_SUCH_TYPE'] }), 422, 'UNKNOWN_APPOINTMENT_TYPE'),
  post('POST advisers: a malformed appointment type', () => '/v1/advisers', (f) => patch(validAdviser(f), { appointmentTypes: ['no such type'] }), 400, V),
  post('POST advisers: name with a NUL character', () => '/v1/advisers', (f) => patch(validAdviser(f), { name: 'Priya\u0000Shah' }), 400),
  post('POST advisers: an e-mail with a lone surrogate', () => '/v1/advisers', (f) => patch(validAdviser(f), { email: '\uD800@careers.example' }), 400, V),

  // ----------------------------------------------------------------- GET /v1/advisers/:id
  ...pathIdCases('GET /v1/advisers/:id', 'GET', (id) => `/v1/advisers/${id}`, () => undefined, 'ADVISER_NOT_FOUND'),

  // ---------------------------------------------------- POST/GET /v1/advisers/:id/patterns
  ...pathIdCases('POST /v1/advisers/:id/patterns', 'POST', (id) => `/v1/advisers/${id}/patterns`, validPattern, 'ADVISER_NOT_FOUND'),
  ...envelopeCases('POST /v1/advisers/:id/patterns', (f) => `/v1/advisers/${f.adviserId}/patterns`, validPattern),
  ...(
    [
      ['startTime 25:00', { startTime: '25:00' }, 400, V],
      ['endTime 24:00', { endTime: '24:00' }, 400, V],
      ['startTime 9:00', { startTime: '9:00' }, 400, V],
      ['startTime 09:00:00', { startTime: '09:00:00' }, 400, V],
      ['startTime as a number', { startTime: 900 }, 400, V],
      ['endTime before startTime', { startTime: '12:00', endTime: '09:00' }, 400, 'INVALID_TIMES'],
      ['endTime equal to startTime', { startTime: '12:00', endTime: '12:00' }, 400, 'INVALID_TIMES'],
      ['validFrom 30 February', { validFrom: '2027-02-30' }, 400, V],
      ['validFrom as a date-time', { validFrom: '2027-01-04T00:00:00Z' }, 400, V],
      ['validTo before validFrom', { validFrom: '2027-06-01', validTo: '2027-05-31' }, 400, 'INVALID_PERIOD'],
      ['validTo 31 April', { validTo: '2027-04-31' }, 400, V],
      ['no weekdays', { weekdays: [] }, 400, V],
      ['weekday FUNDAY', { weekdays: ['FUNDAY'] }, 400, V],
      ['weekday in lower case', { weekdays: ['mon'] }, 400, V],
      ['a repeated weekday', { weekdays: ['SAT', 'SAT'] }, 400, V],
      ['weekdays as a string', { weekdays: 'SAT' }, 400, V],
      ['weekdays as numbers', { weekdays: [6] }, 400, V],
      ['siteId not a UUID', { siteId: 'lewisham' }, 400, V],
      ['siteId missing', { siteId: DELETE }, 400, V],
      ['an unknown site', { siteId: UNKNOWN }, 422, 'UNKNOWN_SITE'],
      ['roomId not a UUID', { roomId: 'room-1' }, 400, V],
      ['an unknown room', { roomId: UNKNOWN }, 422, 'UNKNOWN_ROOM'],
      ['no appointment types', { appointmentTypes: [] }, 400, V],
      ['a malformed appointment type', { appointmentTypes: ['careers'] }, 400, V],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([name, edits, status, code]) => post(`POST patterns: ${name}`, (f) => `/v1/advisers/${f.adviserId}/patterns`, (f) => patch(validPattern(f), edits), status, code)),
  post('POST patterns: a room at another site', (f) => `/v1/advisers/${f.adviserId}/patterns`, (f) => patch(validPattern(f), { roomId: f.otherSiteRoomId }), 422, 'UNKNOWN_ROOM'),
  post('POST patterns: a type the adviser does not deliver', (f) => `/v1/advisers/${f.adviserId}/patterns`, (f) => patch(validPattern(f), { appointmentTypes: [f.otherTypeCode] }), 422, 'ADVISER_DOES_NOT_DELIVER'),
  post('POST patterns: a type that does not exist', (f) => `/v1/advisers/${f.adviserId}/patterns`, (f) => patch(validPattern(f), { appointmentTypes: ['NO_SUCH_TYPE'] }), 422, 'ADVISER_DOES_NOT_DELIVER'),
  post(
    'POST patterns: overlapping the adviser’s weekday pattern',
    (f) => `/v1/advisers/${f.adviserId}/patterns`,
    (f) => patch(validPattern(f), { weekdays: ['MON'], startTime: '10:00', endTime: '11:00' }),
    409,
    'PATTERN_OVERLAP',
  ),
  ...pathIdCases('GET /v1/advisers/:id/patterns', 'GET', (id) => `/v1/advisers/${id}/patterns`, () => undefined, 'ADVISER_NOT_FOUND'),

  // --------------------------------------------------------- POST /v1/advisers/:id/exceptions
  ...pathIdCases('POST /v1/advisers/:id/exceptions', 'POST', (id) => `/v1/advisers/${id}/exceptions`, () => validException, 'ADVISER_NOT_FOUND'),
  ...envelopeCases('POST /v1/advisers/:id/exceptions', (f) => `/v1/advisers/${f.adviserId}/exceptions`, () => validException),
  ...(
    [
      ['from 30 February', { from: '2027-02-30' }, 400, V],
      ['from without an offset', { from: '2027-02-08T09:00:00' }, 400, V],
      ['from at 25:00', { from: '2027-02-08T25:00:00Z' }, 400, V],
      ['from with a zone name instead of an offset', { from: '2027-02-08T09:00:00 Europe/London' }, 400, V],
      ['from as a number', { from: 1802131200000 }, 400, V],
      ['to missing', { to: DELETE }, 400, V],
      ['to before from', { from: '2027-02-12', to: '2027-02-08' }, 400, 'INVALID_PERIOD'],
      ['to equal to from (instants)', { from: '2027-02-08T09:00:00Z', to: '2027-02-08T09:00:00Z' }, 400, 'INVALID_PERIOD'],
      ['to an hour before from (instants)', { from: '2027-02-08T10:00:00+00:00', to: '2027-02-08T09:00:00+00:00' }, 400, 'INVALID_PERIOD'],
      ['unknown kind', { kind: 'holiday' }, 400, V],
      ['note of 1001 characters', { note: 'n'.repeat(1001) }, 400, V],
      ['note as a number', { note: 42 }, 400, V],
      ['note with a NUL character', { note: 'Annual\u0000leave' }, 400, undefined],
    ] as [string, Record<string, unknown>, number, string | undefined][]
  ).map(([name, edits, status, code]) => post(`POST exceptions: ${name}`, (f) => `/v1/advisers/${f.adviserId}/exceptions`, () => patch(validException, edits), status, code)),

  // ------------------------------------------------------------------------ GET /v1/slots
  ...(
    [
      ['appointmentType missing', { appointmentType: DELETE }, 400, V],
      ['appointmentType in lower case', { appointmentType: 'careers' }, 400, V],
      ['appointmentType twice', { appointmentType: ['ABC', 'DEF'] }, 400, V],
      ['an unknown appointmentType', { appointmentType: 'NO_SUCH_TYPE' }, 422, 'UNKNOWN_APPOINTMENT_TYPE'],
      ['neither siteId nor adviserId', { siteId: DELETE }, 400, 'SEARCH_TOO_BROAD'],
      ['siteId not a UUID', { siteId: 'lewisham' }, 400, V],
      ['one of two siteIds not a UUID', { siteId: [UNKNOWN, 'lewisham'] }, 400, V],
      ['201 siteIds', { siteId: Array.from({ length: 201 }, () => randomUUID()) }, 400, V],
      ['adviserId not a UUID', { adviserId: 'alex' }, 400, V],
      ['from 30 February', { from: '2027-02-30' }, 400, V],
      ['from without an offset', { from: '2027-06-07T09:00:00' }, 400, V],
      ['from at 25:00', { from: '2027-06-07T25:00:00Z' }, 400, V],
      ['to in UK format', { to: '11/06/2027' }, 400, V],
      ['to before from', { from: '2027-06-11', to: '2027-06-07' }, 400, 'INVALID_RANGE'],
      ['to equal to from (instants)', { from: '2027-06-07T09:00:00Z', to: '2027-06-07T09:00:00Z' }, 400, 'INVALID_RANGE'],
      ['a range over 92 days', { from: '2027-01-01', to: '2027-12-31' }, 400, 'RANGE_TOO_LARGE'],
      ['an unknown parameter', { date: '2027-06-07' }, 400, V],
      ['limit 0', { limit: '0' }, 400, V],
      ['limit 101', { limit: '101' }, 400, V],
      ['limit x', { limit: 'x' }, 400, V],
      ['limit 1.5', { limit: '1.5' }, 400, V],
      ['limit -1', { limit: '-1' }, 400, V],
      ['limit twice', { limit: ['5', '6'] }, 400, V],
      ['nearSiteId not a UUID', { nearSiteId: 'lewisham' }, 400, V],
      ['nearSiteId twice', { nearSiteId: [UNKNOWN, UNKNOWN] }, 400, V],
      ['an unknown nearSiteId', { siteId: DELETE, nearSiteId: UNKNOWN }, 422, 'UNKNOWN_SITE'],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([name, edits, status, code]) => get(`GET /v1/slots: ${name}`, (f) => `/v1/slots?${qs(patch(validSearch(f), edits))}`, status, code)),
  get('GET /v1/slots: the last days of year 9999', (f) => `/v1/slots?${qs(patch(validSearch(f), { from: '9999-12-30', to: '9999-12-31' }))}`, '4xx'),

  // ---------------------------------------------------------- GET /v1/sites/:id/free-now
  ...pathIdCases('GET /v1/sites/:id/free-now', 'GET', (id) => `/v1/sites/${id}/free-now?appointmentType=CAREERS`, () => undefined, 'SITE_NOT_FOUND').filter((c) => c.status !== 404),
  get('GET free-now: an unknown site', (f) => `/v1/sites/${UNKNOWN}/free-now?appointmentType=${f.typeCode}`, 404, 'SITE_NOT_FOUND'),
  get('GET free-now: appointmentType missing', (f) => `/v1/sites/${f.siteId}/free-now`, 400, V),
  get('GET free-now: appointmentType in lower case', (f) => `/v1/sites/${f.siteId}/free-now?appointmentType=careers`, 400, V),
  get('GET free-now: appointmentType twice', (f) => `/v1/sites/${f.siteId}/free-now?appointmentType=${f.typeCode}&appointmentType=${f.typeCode}`, 400, V),
  get('GET free-now: an unknown appointmentType', (f) => `/v1/sites/${f.siteId}/free-now?appointmentType=NO_SUCH_TYPE`, 422, 'UNKNOWN_APPOINTMENT_TYPE'),
  get('GET free-now: an unknown parameter', (f) => `/v1/sites/${f.siteId}/free-now?appointmentType=${f.typeCode}&at=now`, 400, V),

  // ------------------------------------------------------------------------- POST /v1/holds
  ...envelopeCases('POST /v1/holds', () => '/v1/holds', (f) => validSlot(f)),
  ...slotRefCases('POST /v1/holds', () => '/v1/holds', (f) => validSlot(f)),
  post('POST /v1/holds: a holdId field', () => '/v1/holds', (f) => ({ ...validSlot(f), holdId: f.liveHoldId }), 400, V),
  post('POST /v1/holds: customer details', () => '/v1/holds', (f) => ({ ...validSlot(f), customer: customer() }), 400, V),

  // ------------------------------------------------------------------ DELETE /v1/holds/:id
  ...pathIdCases('DELETE /v1/holds/:id', 'DELETE', (id) => `/v1/holds/${id}`, () => undefined, 'HOLD_NOT_FOUND'),
  { name: 'DELETE /v1/holds/:id: a hold already turned into a booking', method: 'DELETE', path: (f) => `/v1/holds/${f.usedHoldId}`, status: 409, code: 'HOLD_USED' },

  // ---------------------------------------------------------------------- POST /v1/bookings
  ...envelopeCases('POST /v1/bookings', () => '/v1/bookings', (f) => validBooking(f)),
  ...transportCases('POST /v1/bookings', () => '/v1/bookings', (f) => validBooking(f)),
  ...slotRefCases('POST /v1/bookings', () => '/v1/bookings', (f) => validBooking(f)),
  ...(
    [
      ['customer missing', { customer: DELETE }, 400, V],
      ['customer as an array', { customer: [customer()] }, 400, V],
      ['customer as a string', { customer: 'Sam Taylor' }, 400, V],
      ['customer null', { customer: null }, 400, V],
      ['customer reference missing', { 'customer.reference': DELETE }, 400, V],
      ['customer reference empty', { 'customer.reference': '' }, 400, V],
      ['customer reference of 101 characters', { 'customer.reference': 'r'.repeat(101) }, 400, V],
      ['customer reference as a number', { 'customer.reference': 4471 }, 400, V],
      ['customer name missing', { 'customer.name': DELETE }, 400, V],
      ['customer name as an array', { 'customer.name': ['Sam', 'Taylor'] }, 400, V],
      ['an unknown customer field', { 'customer.dateOfBirth': '1990-01-01' }, 400, V],
      ['a mobile that is not a number', { 'customer.mobile': 'call me' }, 400, 'INVALID_MOBILE'],
      ['a mobile that is too short', { 'customer.mobile': '07911' }, 400, 'INVALID_MOBILE'],
      ['a UK landline for the mobile', { 'customer.mobile': '0161 496 0000' }, 400, 'INVALID_MOBILE'],
      ['a mobile with letters', { 'customer.mobile': '07911 12345X' }, 400, 'INVALID_MOBILE'],
      ['an invalid mobile even when not texting', { 'customer.mobile': '12345', 'customer.preferredChannel': 'none' }, 400, 'INVALID_MOBILE'],
      ['a mobile of 41 characters', { 'customer.mobile': '0'.repeat(41) }, 400, V],
      ['a mobile as a number', { 'customer.mobile': 7911123456 }, 400, V],
      ['a mobile as an array', { 'customer.mobile': ['07911 123456'] }, 400, V],
      ['preferredChannel sms with no mobile', { 'customer.mobile': DELETE }, 400, 'CONTACT_MISSING'],
      ['preferredChannel email with no email', { 'customer.email': DELETE, 'customer.preferredChannel': 'email' }, 400, 'CONTACT_MISSING'],
      ['preferredChannel whatsapp', { 'customer.preferredChannel': 'whatsapp' }, 400, V],
      ['an invalid email', { 'customer.email': 'sam(at)example' }, 400, V],
      ['consentToContact "yes"', { 'customer.consentToContact': 'yes' }, 400, V],
      ['consentToContact 1', { 'customer.consentToContact': 1 }, 400, V],
      ['consentToContact missing', { 'customer.consentToContact': DELETE }, 400, V],
      ['referral missing', { referral: DELETE }, 400, V],
      ['referral as an array', { referral: [referral] }, 400, V],
      ['referral source twitter', { 'referral.source': 'twitter' }, 400, V],
      ['referral mandatory "no"', { 'referral.mandatory': 'no' }, 400, V],
      ['referral reason of 2001 characters', { 'referral.reason': 'r'.repeat(2001) }, 400, V],
      ['an unknown referral field', { 'referral.priority': 'high' }, 400, V],
      ['holdId not a UUID', { holdId: 'hold-1' }, 400, V],
      ['customer name with a NUL character', { 'customer.name': 'Sam\u0000Taylor' }, 400, undefined],
      ['customer reference with a NUL character', { 'customer.reference': 'REF\u0000' }, 400, undefined],
      ['referral reason with a NUL character', { 'referral.reason': 'Career\u0000change' }, 400, undefined],
      ['an e-mail with a lone surrogate', { 'customer.email': '\uD800@example.com' }, 400, V],
    ] as [string, Record<string, unknown>, number, string | undefined][]
  ).map(([name, edits, status, code]) => post(`POST /v1/bookings: ${name}`, () => '/v1/bookings', (f) => patch(validBooking(f), edits), status, code)),
  post('POST /v1/bookings: an unknown hold', () => '/v1/bookings', () => ({ holdId: UNKNOWN, customer: customer(), referral }), 404, 'HOLD_NOT_FOUND'),
  post('POST /v1/bookings: a hold already used', () => '/v1/bookings', (f) => ({ holdId: f.usedHoldId, customer: customer(), referral }), 409, 'HOLD_USED'),
  post('POST /v1/bookings: holdId null and no slot', () => '/v1/bookings', () => ({ holdId: null, customer: customer(), referral }), 400, V),
  post('POST /v1/bookings: a live hold with an invalid mobile', () => '/v1/bookings', (f) => ({ holdId: f.liveHoldId, customer: patch(customer(), { mobile: '0161 496 0000' }), referral }), 400, 'INVALID_MOBILE'),
  post('POST /v1/bookings: the slot already booked', () => '/v1/bookings', (f) => validBooking(f, f.bookingStart), 409, 'SLOT_FULL'),
  post('POST /v1/bookings: the slot of a live hold', () => '/v1/bookings', (f) => validBooking(f, '2027-06-07T11:00:00+01:00'), 409, 'SLOT_FULL'),
  post('POST /v1/bookings: overlapping a booked slot', () => '/v1/bookings', (f) => validBooking(f, '2027-06-07T09:30:00+01:00'), 409, 'SLOT_TAKEN'),

  // ----------------------------------------------------------------------- GET /v1/bookings
  ...(
    [
      ['no filter at all', {}, 400, 'INVALID_FILTER'],
      ['siteId without a date', { siteId: 'SITE' }, 400, 'INVALID_FILTER'],
      ['adviserId without a date', { adviserId: 'ADVISER' }, 400, 'INVALID_FILTER'],
      ['only a date', { date: '2027-06-07' }, 400, 'INVALID_FILTER'],
      ['siteId and adviserId together', { siteId: 'SITE', adviserId: 'ADVISER', date: '2027-06-07' }, 400, 'INVALID_FILTER'],
      ['siteId and customerReference together', { siteId: 'SITE', customerReference: 'FIX-1', date: '2027-06-07' }, 400, 'INVALID_FILTER'],
      ['customerReference with a date', { customerReference: 'FIX-1', date: '2027-06-07' }, 400, 'INVALID_FILTER'],
      ['date 30 February', { siteId: 'SITE', date: '2027-02-30' }, 400, V],
      ['date as a date-time', { siteId: 'SITE', date: '2027-06-07T00:00:00Z' }, 400, V],
      ['date twice', { siteId: 'SITE', date: ['2027-06-07', '2027-06-08'] }, 400, V],
      ['siteId not a UUID', { siteId: 'lewisham', date: '2027-06-07' }, 400, V],
      ['siteId twice', { siteId: ['SITE', 'SITE'], date: '2027-06-07' }, 400, V],
      ['customerReference empty', { customerReference: '' }, 400, V],
      ['customerReference of 101 characters', { customerReference: 'r'.repeat(101) }, 400, V],
      ['customerReference twice', { customerReference: ['A', 'B'] }, 400, V],
      ['customerReference with a NUL character', { customerReference: 'FIX\u00001' }, 400, undefined],
      ['an unknown parameter', { siteId: 'SITE', date: '2027-06-07', status: 'booked' }, 400, V],
    ] as [string, Record<string, string | string[]>, number, string | undefined][]
  ).map(([name, params, status, code]) =>
    get(`GET /v1/bookings: ${name}`, (f) => `/v1/bookings?${qs(JSON.parse(JSON.stringify(params).replaceAll('"SITE"', JSON.stringify(f.siteId)).replaceAll('"ADVISER"', JSON.stringify(f.adviserId))))}`, status, code),
  ),

  // ------------------------------------------------------------------- GET /v1/bookings/:id
  ...pathIdCases('GET /v1/bookings/:id', 'GET', (id) => `/v1/bookings/${id}`, () => undefined, 'BOOKING_NOT_FOUND'),

  // ----------------------------------------------------------- POST /v1/bookings/:id/cancel
  ...pathIdCases('POST /v1/bookings/:id/cancel', 'POST', (id) => `/v1/bookings/${id}/cancel`, () => ({ by: 'customer', reason: 'Started a job' }), 'BOOKING_NOT_FOUND'),
  ...envelopeCases('POST /v1/bookings/:id/cancel', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => ({ by: 'customer', reason: 'Started a job' })),
  ...pathIdCases('POST /v1/bookings/:id/links/revoke', 'POST', (id) => `/v1/bookings/${id}/links/revoke`, () => ({}), 'BOOKING_NOT_FOUND'),
  ...pathIdCases('POST /v1/bookings/:id/release', 'POST', (id) => `/v1/bookings/${id}/release`, () => ({}), 'BOOKING_NOT_FOUND'),
  post('POST release: a cancelled booking', (f) => `/v1/bookings/${f.cancelledBookingId}/release`, () => ({}), 409, 'BOOKING_CANCELLED'),
  post('POST cancel: the fields only inside __proto__', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => '{"__proto__": {"by": "customer", "reason": "Started a job"}}', 400, V),
  post('POST cancel: by the adviser', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => ({ by: 'adviser', reason: 'Ill' }), 400, V),
  post('POST cancel: reason missing', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => ({ by: 'customer' }), 400, V),
  post('POST cancel: reason empty', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => ({ by: 'customer', reason: '' }), 400, V),
  post('POST cancel: reason of 1001 characters', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => ({ by: 'customer', reason: 'r'.repeat(1001) }), 400, V),
  post('POST cancel: reason as an object', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => ({ by: 'customer', reason: { text: 'job' } }), 400, V),
  post('POST cancel: a booking already cancelled', (f) => `/v1/bookings/${f.cancelledBookingId}/cancel`, () => ({ by: 'customer', reason: 'Again' }), 409, 'BOOKING_CANCELLED'),
  post('POST cancel: reason with a NUL character', (f) => `/v1/bookings/${f.bookingId}/cancel`, () => ({ by: 'customer', reason: 'Started\u0000a job' }), 400),

  // ------------------------------------------------------- POST /v1/bookings/:id/reschedule
  ...pathIdCases('POST /v1/bookings/:id/reschedule', 'POST', (id) => `/v1/bookings/${id}/reschedule`, (f) => validSlot(f), 'BOOKING_NOT_FOUND'),
  ...envelopeCases('POST /v1/bookings/:id/reschedule', (f) => `/v1/bookings/${f.bookingId}/reschedule`, (f) => validSlot(f)),
  ...slotRefCases('POST /v1/bookings/:id/reschedule', (f) => `/v1/bookings/${f.bookingId}/reschedule`, (f) => validSlot(f)),
  post('POST reschedule: customer details (not allowed)', (f) => `/v1/bookings/${f.bookingId}/reschedule`, (f) => ({ ...validSlot(f), customer: customer() }), 400, V),
  post('POST reschedule: into the slot it already has', (f) => `/v1/bookings/${f.bookingId}/reschedule`, (f) => validSlot(f, f.bookingStart), 409, 'SAME_SLOT'),
  post('POST reschedule: the same slot written in UTC', (f) => `/v1/bookings/${f.bookingId}/reschedule`, (f) => validSlot(f, '2027-06-07T08:00:00Z'), 409, 'SAME_SLOT'),
  post('POST reschedule: a cancelled booking', (f) => `/v1/bookings/${f.cancelledBookingId}/reschedule`, (f) => validSlot(f), 409, 'BOOKING_CANCELLED'),
  post('POST reschedule: onto a live hold’s slot', (f) => `/v1/bookings/${f.bookingId}/reschedule`, (f) => validSlot(f, '2027-06-07T11:00:00+01:00'), 409, 'SLOT_FULL'),
  post('POST reschedule: an unknown hold', (f) => `/v1/bookings/${f.bookingId}/reschedule`, () => ({ holdId: UNKNOWN }), 404, 'HOLD_NOT_FOUND'),
  post('POST reschedule: a hold already used', (f) => `/v1/bookings/${f.bookingId}/reschedule`, (f) => ({ holdId: f.usedHoldId }), 409, 'HOLD_USED'),
  post('POST reschedule: holdId null and no slot', (f) => `/v1/bookings/${f.bookingId}/reschedule`, () => ({ holdId: null }), 400, V),

  // ---------------------------------------------------------- GET /v1/bookings/:id/messages
  ...pathIdCases('GET /v1/bookings/:id/messages', 'GET', (id) => `/v1/bookings/${id}/messages`, () => undefined, 'BOOKING_NOT_FOUND'),

  // ------------------------------------------------ GET and PUT /v1/sites/:id/reminder-policy
  ...pathIdCases('GET /v1/sites/:id/reminder-policy', 'GET', (id) => `/v1/sites/${id}/reminder-policy`, () => undefined, 'SITE_NOT_FOUND'),
  ...pathIdCases('PUT /v1/sites/:id/reminder-policy', 'PUT', (id) => `/v1/sites/${id}/reminder-policy`, () => validPolicy, 'SITE_NOT_FOUND'),
  ...envelopeCases('PUT /v1/sites/:id/reminder-policy', (f) => `/v1/sites/${f.siteId}/reminder-policy`, () => validPolicy, put),
  ...(
    [
      ['daysBefore above 14', { daysBefore: 15 }, 400, V],
      ['daysBefore negative', { daysBefore: -1 }, 400, V],
      ['daysBefore as a string', { daysBefore: '2' }, 400, V],
      ['hoursBefore above 12', { hoursBefore: 13 }, 400, V],
      ['daysBeforeAt at 24:00', { daysBeforeAt: '24:00' }, 400, V],
      ['quietFrom without a colon', { quietFrom: '2000' }, 400, V],
      ['quietUntil missing', { quietUntil: DELETE }, 400, V],
      ['minimumGapMinutes of a day and a minute', { minimumGapMinutes: 1441 }, 400, V],
      ['quiet hours that begin as they end', { quietFrom: '08:00', quietUntil: '08:00' }, 422, 'INVALID_QUIET_HOURS'],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([what, edits, status, code]) => put(`PUT reminder-policy: ${what}`, (f) => `/v1/sites/${f.siteId}/reminder-policy`, () => patch(validPolicy, edits), status, code)),

  // ------------------------------------------- GET and PUT /v1/appointment-types/:code/templates
  get('GET templates: a code in lower case', () => '/v1/appointment-types/skills/templates', 400, 'INVALID_CODE'),
  get('GET templates: an unknown type', () => '/v1/appointment-types/NO_SUCH_TYPE/templates', 404, 'APPOINTMENT_TYPE_NOT_FOUND'),
  put('PUT templates: a code with a quote', () => `/v1/appointment-types/${encodeURIComponent("X' OR '1'='1")}/templates`, () => validTemplate, 400, 'INVALID_CODE'),
  put('PUT templates: an unknown type', () => '/v1/appointment-types/NO_SUCH_TYPE/templates', () => validTemplate, 404, 'APPOINTMENT_TYPE_NOT_FOUND'),
  ...envelopeCases('PUT /v1/appointment-types/:code/templates', (f) => `/v1/appointment-types/${f.typeCode}/templates`, () => validTemplate, put),
  ...(
    [
      ['an unknown step', { step: 'reminder' }, 400, V],
      ['an unknown channel', { channel: 'fax' }, 400, V],
      ['an empty body', { body: '' }, 400, V],
      ['a body of 5001 characters', { body: 'b'.repeat(5001) }, 400, V],
      ['siteId not a UUID', { siteId: 'lewisham' }, 400, V],
      ['an unknown site', { siteId: UNKNOWN }, 404, 'SITE_NOT_FOUND'],
      ['a variant not in MESSAGE_VARIANTS', { variant: 'shouty' }, 422, 'UNKNOWN_VARIANT'],
      ['an SMS with a subject', { subject: 'Hello' }, 422, 'TEMPLATE_INVALID'],
      ['an email without a subject', { channel: 'email' }, 422, 'TEMPLATE_INVALID'],
      ['an unknown placeholder', { body: 'See you {{when}}' }, 422, 'TEMPLATE_INVALID'],
      ['a placeholder every object has', { body: 'See you {{constructor}}' }, 422, 'TEMPLATE_INVALID'],
      ['an SMS over two segments at its longest', { body: `${'Remember. '.repeat(30)}{{address}}` }, 422, 'TEMPLATE_INVALID'],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([what, edits, status, code]) => put(`PUT templates: ${what}`, (f) => `/v1/appointment-types/${f.typeCode}/templates`, () => patch(validTemplate, edits), status, code)),

  // ------------------------------------------------------- POST /v1/bookings/:id/outcome
  ...pathIdCases('POST /v1/bookings/:id/outcome', 'POST', (id) => `/v1/bookings/${id}/outcome`, () => validOutcome, 'BOOKING_NOT_FOUND'),
  ...envelopeCases('POST /v1/bookings/:id/outcome', (f) => `/v1/bookings/${f.bookingId}/outcome`, () => validOutcome),
  ...(
    [
      ['an outcome not in the list', { outcome: 'no_show' }, 400, V],
      ['the outcome in capitals', { outcome: 'DNA' }, 400, V],
      ['outcome missing', { outcome: DELETE }, 400, V],
      ['a note of 1001 characters', { note: 'n'.repeat(1001) }, 400, V],
      ['a note that is a number', { note: 5 }, 400, V],
      ['an appointment still to come', {}, 409, 'TOO_EARLY'],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([what, edits, status, code]) => post(`POST outcome: ${what}`, (f) => `/v1/bookings/${f.bookingId}/outcome`, () => patch(validOutcome, edits), status, code)),
  post('POST outcome: a cancelled booking', (f) => `/v1/bookings/${f.cancelledBookingId}/outcome`, () => validOutcome, 409, 'BOOKING_CANCELLED'),

  // ----------------------------------------------- GET /v1/bookings/:id/history, outcomes due
  ...pathIdCases('GET /v1/bookings/:id/history', 'GET', (id) => `/v1/bookings/${id}/history`, () => undefined, 'BOOKING_NOT_FOUND'),
  ...pathIdCases('GET /v1/sites/:id/outcomes-due', 'GET', (id) => `/v1/sites/${id}/outcomes-due`, () => undefined, 'SITE_NOT_FOUND'),
  get('GET outcomes-due: a date that does not exist', (f) => `/v1/sites/${f.siteId}/outcomes-due?date=2027-02-30`, 400, V),
  get('GET outcomes-due: a date and time', (f) => `/v1/sites/${f.siteId}/outcomes-due?date=2027-06-07T10:00:00Z`, 400, V),

  // ------------------------------------------ GET and PUT /v1/sites/:id/attendance-policy
  ...pathIdCases('GET /v1/sites/:id/attendance-policy', 'GET', (id) => `/v1/sites/${id}/attendance-policy`, () => undefined, 'SITE_NOT_FOUND'),
  ...pathIdCases('PUT /v1/sites/:id/attendance-policy', 'PUT', (id) => `/v1/sites/${id}/attendance-policy`, () => ({ autoDnaAfterHours: 24 }), 'SITE_NOT_FOUND'),
  ...envelopeCases('PUT /v1/sites/:id/attendance-policy', (f) => `/v1/sites/${f.siteId}/attendance-policy`, () => ({ autoDnaAfterHours: 24 }), put),
  ...(
    [
      ['zero hours', { autoDnaAfterHours: 0 }],
      ['two weeks and an hour', { autoDnaAfterHours: 337 }],
      ['hours as a string', { autoDnaAfterHours: '24' }],
      ['a fraction of an hour', { autoDnaAfterHours: 1.5 }],
      ['the field missing', {}],
    ] as [string, Record<string, unknown>][]
  ).map(([what, body]) => put(`PUT attendance-policy: ${what}`, (f) => `/v1/sites/${f.siteId}/attendance-policy`, () => body, 400, V)),

  // --------------------------------------------------------------- GET /v1/insights/dna
  ...(
    [
      ['from missing', { from: DELETE }, 400, V],
      ['groupBy missing', { groupBy: DELETE }, 400, V],
      ['an unknown dimension', { groupBy: 'postcode' }, 400, V],
      ['three dimensions', { groupBy: 'site,weekday,hour' }, 400, V],
      ['a siteId that is not a UUID', { siteId: 'lewisham' }, 400, V],
      ['to before from', { from: '2027-06-08', to: '2027-06-07' }, 400, 'INVALID_RANGE'],
      ['three years at once', { from: '2025-01-01', to: '2027-12-31' }, 400, 'RANGE_TOO_LARGE'],
      ['a date that does not exist', { to: '2027-02-30' }, 400, V],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([what, edits, status, code]) =>
    get(`GET insights: ${what}`, () => `/v1/insights/dna?${qs(patch({ from: '2027-01-01', to: '2027-06-30', groupBy: 'site' }, edits))}`, status, code),
  ),

  // ------------------------------------------------- GET /v1/bookings (referral feedback)
  get('GET referral feedback: no from or to', () => '/v1/bookings?organisationId=mine', 400, 'INVALID_FILTER'),
  get('GET referral feedback: "mine" with the admin key', () => '/v1/bookings?organisationId=mine&from=2027-06-07&to=2027-06-07', 400, 'INVALID_FILTER'),
  get('GET referral feedback: an outcome not in the list', (f) => `/v1/bookings?organisationId=${f.organisationId}&from=2027-06-07&to=2027-06-07&outcome=gone`, 400, V),
  get('GET referral feedback: an organisation id that is not a UUID', () => '/v1/bookings?organisationId=ours&from=2027-06-07&to=2027-06-07', 400, V),
  get('GET referral feedback: with a siteId as well', (f) => `/v1/bookings?organisationId=${f.organisationId}&siteId=${f.siteId}&from=2027-06-07&to=2027-06-07`, 400, 'INVALID_FILTER'),
  get('GET referral feedback: half a year', (f) => `/v1/bookings?organisationId=${f.organisationId}&from=2027-01-01&to=2027-06-30`, 400, 'RANGE_TOO_LARGE'),

  // ------------------------------------------------------------ POST /v1/history/import
  post('POST history import: rows that are not a list', () => '/v1/history/import', () => ({ rows: { legacyId: 'A' } }), 400, 'INVALID_IMPORT'),
  post('POST history import: a bare list of rows', () => '/v1/history/import', () => [{ legacyId: 'A' }], 400, 'INVALID_IMPORT'),
  post('POST history import: malformed JSON', () => '/v1/history/import', () => '{"rows": [', 400, 'INVALID_JSON'),
  post('POST history import: 50,001 rows', () => '/v1/history/import', () => ({ rows: Array.from({ length: 50_001 }, () => ({})) }), 400, 'TOO_MANY_ROWS'),
  post('POST history import: CSV without the outcome column', () => '/v1/history/import', () => `${IMPORT_COLUMNS.slice(0, -1).join(',')}\nA,B,C,D,E,F,G,H,I\n`, 400, 'MISSING_COLUMNS', { 'Content-Type': 'text/csv' }),
  post('POST history import: CSV with an unclosed quote', () => '/v1/history/import', () => `${IMPORT_COLUMNS.join(',')}\n"A,B`, 400, 'INVALID_CSV', { 'Content-Type': 'text/csv' }),
  post('POST history import: XML', () => '/v1/history/import', () => '<rows/>', 400, 'INVALID_IMPORT', { 'Content-Type': 'application/xml' }),

  // ------------------------------------------ GET and PUT /v1/sites/:id/overbooking-policy
  ...pathIdCases('GET /v1/sites/:id/overbooking-policy', 'GET', (id) => `/v1/sites/${id}/overbooking-policy`, () => undefined, 'SITE_NOT_FOUND'),
  ...pathIdCases('PUT /v1/sites/:id/overbooking-policy', 'PUT', (id) => `/v1/sites/${id}/overbooking-policy`, () => ({ mode: 'risk' }), 'SITE_NOT_FOUND'),
  ...pathIdCases('GET /v1/sites/:id/overbooking-policy/changes', 'GET', (id) => `/v1/sites/${id}/overbooking-policy/changes`, () => undefined, 'SITE_NOT_FOUND'),
  ...envelopeCases('PUT /v1/sites/:id/overbooking-policy', (f) => `/v1/sites/${f.siteId}/overbooking-policy`, () => ({ mode: 'risk' }), put),
  get('GET overbooking-policy: an unknown appointment type', (f) => `/v1/sites/${f.siteId}/overbooking-policy?appointmentType=NO_SUCH_TYPE`, 422, 'UNKNOWN_APPOINTMENT_TYPE'),
  ...(
    [
      ['an unknown mode', { mode: 'double' }, 400, V],
      ['maxRisk of 0', { maxRisk: 0 }, 400, V],
      ['maxRisk above one half', { maxRisk: 0.51 }, 400, V],
      ['a negative cap per session', { maxExtraPerSession: -1 }, 400, V],
      ['a cap per day of a thousand', { maxExtraPerDay: 1000 }, 400, V],
      ['an overlap as long as the appointment', { mode: 'overlap', overlapMinutes: 60 }, 400, V],
      ['an unknown appointment type', { appointmentType: 'NO_SUCH_TYPE' }, 422, 'UNKNOWN_APPOINTMENT_TYPE'],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([what, edits, status, code]) => put(`PUT overbooking-policy: ${what}`, (f) => `/v1/sites/${f.siteId}/overbooking-policy`, () => patch({ mode: 'risk' }, edits), status, code)),

  // ------------------------------------------------ POST /v1/sites/:id/overbooking/simulate
  ...pathIdCases('POST /v1/sites/:id/overbooking/simulate', 'POST', (id) => `/v1/sites/${id}/overbooking/simulate`, () => ({ policy: { mode: 'risk' } }), 'SITE_NOT_FOUND'),
  ...envelopeCases('POST /v1/sites/:id/overbooking/simulate', (f) => `/v1/sites/${f.siteId}/overbooking/simulate`, (f) => ({ policy: { mode: 'risk' }, appointmentType: f.typeCode })),
  ...(
    [
      ['no policy', { policy: DELETE }, 400, V],
      ['a policy that is not an object', { policy: 'risk' }, 400, V],
      ['an unknown mode', { 'policy.mode': 'double' }, 400, V],
      ['maxRisk of 0', { 'policy.maxRisk': 0 }, 400, V],
      ['maxRisk above one half', { 'policy.maxRisk': 0.51 }, 400, V],
      ['a negative cap per session', { 'policy.maxExtraPerSession': -1 }, 400, V],
      ['a cap per day of a thousand', { 'policy.maxExtraPerDay': 1000 }, 400, V],
      ['an overlap as long as the appointment', { 'policy.mode': 'overlap', 'policy.overlapMinutes': 60 }, 400, V],
      ['an appointment type inside the policy', { 'policy.appointmentType': 'NO_SUCH_TYPE' }, 400, V],
      ['500 weeks', { weeks: 500 }, 400, V],
      ['no weeks', { weeks: 0 }, 400, V],
      ['half a week', { weeks: 2.5 }, 400, V],
      ['demand below one request per seat', { demand: 0.5 }, 400, V],
      ['demand of ten requests per seat', { demand: 10 }, 400, V],
      ['demand as a string', { demand: '1.5' }, 400, V],
      ['an unknown appointment type', { appointmentType: 'NO_SUCH_TYPE' }, 422, 'UNKNOWN_APPOINTMENT_TYPE'],
      // The fixture's site has no recorded outcomes.
      ['a site with no history', {}, 422, 'NOT_ENOUGH_HISTORY'],
    ] as [string, Record<string, unknown>, number, string][]
  ).map(([what, edits, status, code]) =>
    post(`POST overbooking simulate: ${what}`, (f) => `/v1/sites/${f.siteId}/overbooking/simulate`, (f) => patch({ policy: { mode: 'risk' }, appointmentType: f.typeCode }, edits), status, code),
  ),

  // ----------------------------------------------------------- GET /v1/sites/:id/day-sheet
  ...pathIdCases('GET /v1/sites/:id/day-sheet', 'GET', (id) => `/v1/sites/${id}/day-sheet?date=2027-06-08`, () => undefined, 'SITE_NOT_FOUND'),
  get('GET day-sheet: no date', (f) => `/v1/sites/${f.siteId}/day-sheet`, 400, V),
  get('GET day-sheet: a date that does not exist', (f) => `/v1/sites/${f.siteId}/day-sheet?date=2027-02-30`, 400, V),
  get('GET day-sheet: a date and time', (f) => `/v1/sites/${f.siteId}/day-sheet?date=2027-06-08T10:00:00Z`, 400, V),
  get('GET day-sheet: an appointment type in lower case', (f) => `/v1/sites/${f.siteId}/day-sheet?date=2027-06-08&appointmentType=careers`, 400, V),
  get('GET day-sheet: an unknown appointment type', (f) => `/v1/sites/${f.siteId}/day-sheet?date=2027-06-08&appointmentType=NO_SUCH_TYPE`, 422, 'UNKNOWN_APPOINTMENT_TYPE'),

  // ------------------------------------------------------ POST /v1/webhooks/twilio/status
  // This app has no TWILIO_AUTH_TOKEN, so no callback can be verified and every one is refused.
  post('POST Twilio status: a form-encoded callback', () => '/v1/webhooks/twilio/status', () => 'MessageSid=SM0&MessageStatus=delivered', 403, 'WEBHOOK_DISABLED', {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Twilio-Signature': 'forged',
  }),
  post('POST Twilio status: a JSON body', () => '/v1/webhooks/twilio/status', () => ({ MessageSid: 'SM0', MessageStatus: 'delivered' }), 403, 'WEBHOOK_DISABLED'),

  // -------------------------------------------------------- POST /v1/webhooks/twilio/sms
  post('POST Twilio sms: a form-encoded message', () => '/v1/webhooks/twilio/sms', () => 'MessageSid=SM0&From=%2B447911123456&Body=NO', 403, 'WEBHOOK_DISABLED', {
    'Content-Type': 'application/x-www-form-urlencoded',
    'X-Twilio-Signature': 'forged',
  }),
  post('POST Twilio sms: a JSON body', () => '/v1/webhooks/twilio/sms', () => ({ MessageSid: 'SM0', From: '+447911123456', Body: 'NO' }), 403, 'WEBHOOK_DISABLED'),
  post('POST Twilio sms: malformed JSON', () => '/v1/webhooks/twilio/sms', () => '{"Body": "NO",', 400, 'INVALID_JSON'),

  // ------------------------------------------------------------ /v1/sites/:id/follow-ups
  ...pathIdCases('GET /v1/sites/:id/follow-ups', 'GET', (id) => `/v1/sites/${id}/follow-ups`, () => undefined, 'SITE_NOT_FOUND'),
  ...pathIdCases('POST /v1/sites/:id/follow-ups/:id/resolve (site)', 'POST', (id) => `/v1/sites/${id}/follow-ups/${UNKNOWN}/resolve`, () => ({}), 'SITE_NOT_FOUND'),
  ...pathIdCases('POST /v1/sites/:id/follow-ups/:id/resolve', 'POST', (id) => `/v1/sites/{site}/follow-ups/${id}/resolve`, () => ({}), 'FOLLOW_UP_NOT_FOUND').map((c) => ({ ...c, path: (f: Fixture) => c.path(f).replace('{site}', f.siteId) })),
  post('POST follow-ups resolve: a note that is not text', (f) => `/v1/sites/${f.siteId}/follow-ups/${UNKNOWN}/resolve`, () => ({ note: 42 }), 400, V),
  post('POST follow-ups resolve: an empty note', (f) => `/v1/sites/${f.siteId}/follow-ups/${UNKNOWN}/resolve`, () => ({ note: '' }), 400, V),
  post('POST follow-ups resolve: an unknown field', (f) => `/v1/sites/${f.siteId}/follow-ups/${UNKNOWN}/resolve`, () => ({ done: true }), 400, V),

  // --------------------------------------------------------------- GET /v1/sites/:id/health
  ...pathIdCases('GET /v1/sites/:id/health', 'GET', (id) => `/v1/sites/${id}/health`, () => undefined, 'SITE_NOT_FOUND'),
  ...(
    [
      ['nine weeks, too few to judge referrals', '9'],
      ['53 weeks', '53'],
      ['weeks in words', 'twelve'],
      ['a fraction of a week', '12.5'],
      ['negative weeks', '-12'],
      ['weeks given twice', '12&weeks=13'],
    ] as [string, string][]
  ).map(([what, weeks]) => get(`GET health: ${what}`, (f) => `/v1/sites/${f.siteId}/health?weeks=${weeks}`, 400, V)),

  // ------------------------------------------------------------------------ /v1/waitlist
  ...envelopeCases('POST /v1/waitlist', () => '/v1/waitlist', validWaitlist),
  post('POST /v1/waitlist: customer missing', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { customer: DELETE }), 400, V),
  post('POST /v1/waitlist: referral as a string', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { referral: 'jcp' }), 400, V),
  post('POST /v1/waitlist: appointmentType in lower case', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { appointmentType: 'careers' }), 400, V),
  post('POST /v1/waitlist: an unknown appointmentType', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { appointmentType: 'NO_SUCH_TYPE' }), 422, 'UNKNOWN_APPOINTMENT_TYPE'),
  post('POST /v1/waitlist: siteIds missing', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { siteIds: DELETE }), 400, V),
  post('POST /v1/waitlist: siteIds empty', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { siteIds: [] }), 400, V),
  post('POST /v1/waitlist: siteIds as one id', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { siteIds: f.siteId }), 400, V),
  post('POST /v1/waitlist: a site id that is not a UUID', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { siteIds: [f.siteId, 'lewisham'] }), 400, V),
  post('POST /v1/waitlist: a site twice', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { siteIds: [f.siteId, f.siteId] }), 400, V),
  post('POST /v1/waitlist: 21 sites', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { siteIds: Array.from({ length: 21 }, () => randomUUID()) }), 400, V),
  post('POST /v1/waitlist: an unknown site', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { siteIds: [f.siteId, UNKNOWN] }), 422, 'UNKNOWN_SITE'),
  post('POST /v1/waitlist: earliest without an offset', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { earliest: '2027-06-07T09:00:00' }), 400, V),
  post('POST /v1/waitlist: latest as epoch milliseconds', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { latest: 1812445200000 }), 400, V),
  post('POST /v1/waitlist: latest before earliest', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { latest: '2027-06-06T17:00:00+01:00' }), 400, 'WINDOW_EMPTY'),
  post('POST /v1/waitlist: a window that has ended', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { earliest: '2026-06-01T09:00:00+01:00', latest: '2026-06-05T17:00:00+01:00' }), 400, 'WINDOW_IN_PAST'),
  post('POST /v1/waitlist: a window of 61 days', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { latest: '2027-08-07T09:00:00+01:00' }), 400, 'WINDOW_TOO_LONG'),
  post('POST /v1/waitlist: a landline', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { 'customer.mobile': '020 7946 0000' }), 400, 'INVALID_MOBILE'),
  post('POST /v1/waitlist: no mobile', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { 'customer.mobile': DELETE, 'customer.preferredChannel': 'email' }), 422, 'SMS_REQUIRED'),
  post('POST /v1/waitlist: no consent to contact', () => '/v1/waitlist', (f) => patch(validWaitlist(f), { 'customer.consentToContact': false }), 422, 'SMS_REQUIRED'),
  get('GET /v1/waitlist: siteId not a UUID', () => '/v1/waitlist?siteId=lewisham', 400, V),
  get('GET /v1/waitlist: an unknown site', () => `/v1/waitlist?siteId=${UNKNOWN}`, 404, 'SITE_NOT_FOUND'),
  get('GET /v1/waitlist: an unknown status', () => '/v1/waitlist?status=pending', 400, V),
  ...pathIdCases('GET /v1/waitlist/:id', 'GET', (id) => `/v1/waitlist/${id}`, () => undefined, 'WAITLIST_ENTRY_NOT_FOUND'),
  ...pathIdCases('DELETE /v1/waitlist/:id', 'DELETE', (id) => `/v1/waitlist/${id}`, () => undefined, 'WAITLIST_ENTRY_NOT_FOUND'),
  // ------------------------------------------------------------------------ /v1/staff
  ...envelopeCases('POST /v1/staff', () => '/v1/staff', validStaff),
  post('POST /v1/staff: name empty', () => '/v1/staff', (f) => patch(validStaff(f), { name: '' }), 400, V),
  post('POST /v1/staff: email missing', () => '/v1/staff', (f) => patch(validStaff(f), { email: DELETE }), 400, V),
  post('POST /v1/staff: email not an address', () => '/v1/staff', (f) => patch(validStaff(f), { email: 'jo@' }), 400, V),
  post('POST /v1/staff: an unknown role', () => '/v1/staff', (f) => patch(validStaff(f), { role: 'manager' }), 400, V),
  post('POST /v1/staff: organisationId not a UUID', () => '/v1/staff', (f) => patch(validStaff(f), { organisationId: 'jcp' }), 400, V),
  post('POST /v1/staff: an unknown organisation', () => '/v1/staff', (f) => patch(validStaff(f), { organisationId: UNKNOWN }), 422, 'UNKNOWN_ORGANISATION'),
  post('POST /v1/staff: a password of 11 characters', () => '/v1/staff', (f) => patch(validStaff(f), { password: 'short words' }), 400, V),
  post('POST /v1/staff: a password as a number', () => '/v1/staff', (f) => patch(validStaff(f), { password: 123456789012 }), 400, V),
  post('POST /v1/staff: a site manager with no sites', () => '/v1/staff', (f) => patch(validStaff(f), { role: 'site_manager' }), 400, 'INVALID_SITES'),
  post('POST /v1/staff: a work coach with managed sites', () => '/v1/staff', (f) => patch(validStaff(f), { managedSiteIds: [f.siteId] }), 400, 'INVALID_SITES'),
  post('POST /v1/staff: a site twice', () => '/v1/staff', (f) => patch(validStaff(f), { role: 'site_manager', managedSiteIds: [f.siteId, f.siteId] }), 400, V),
  post('POST /v1/staff: an unknown site', () => '/v1/staff', (f) => patch(validStaff(f), { role: 'site_manager', managedSiteIds: [UNKNOWN] }), 422, 'UNKNOWN_SITE'),
];

/** What is wrong with a slot reference is wrong the same way for holds, bookings and reschedules. */
function slotRefCases(label: string, path: (f: Fixture) => string, valid: (f: Fixture) => object): Case[] {
  const table: [string, (f: Fixture) => Record<string, unknown>, number | '4xx', string | undefined][] = [
    ['appointmentType missing', () => ({ appointmentType: DELETE }), 400, V],
    ['appointmentType in lower case', () => ({ appointmentType: 'careers' }), 400, V],
    ['appointmentType as a number', () => ({ appointmentType: 7 }), 400, V],
    ['an unknown appointmentType', () => ({ appointmentType: 'NO_SUCH_TYPE' }), 422, 'UNKNOWN_APPOINTMENT_TYPE'],
    ['siteId missing', () => ({ siteId: DELETE }), 400, V],
    ['siteId not a UUID', () => ({ siteId: 'lewisham' }), 400, V],
    ['siteId as an array', (f) => ({ siteId: [f.siteId] }), 400, V],
    ['adviserId not a UUID', () => ({ adviserId: 'alex' }), 400, V],
    ['an unknown adviser', () => ({ adviserId: UNKNOWN }), 422, 'UNKNOWN_ADVISER'],
    ['a site the adviser does not work at', (f) => ({ siteId: f.pastSiteId }), 409, 'SLOT_NOT_IN_DIARY'],
    ['start missing', () => ({ start: DELETE }), 400, V],
    ['start without an offset', () => ({ start: '2027-06-08T10:00:00' }), 400, V],
    ['start as a date only', () => ({ start: '2027-06-08' }), 400, V],
    ['start at 25:00', () => ({ start: '2027-06-08T25:00:00+01:00' }), 400, V],
    ['start on 30 February', () => ({ start: '2027-02-30T10:00:00Z' }), 400, V],
    ['start with a zone name', () => ({ start: '2027-06-08T10:00:00[Europe/London]' }), 400, V],
    ['start as epoch milliseconds', () => ({ start: 1812445200000 }), 400, V],
    ['start as an array', () => ({ start: [FREE_START] }), 400, V],
    ['start off the five-minute grid', () => ({ start: '2027-06-08T10:03:00+01:00' }), 400, 'INVALID_START'],
    ['start with seconds', () => ({ start: '2027-06-08T10:00:30+01:00' }), 400, 'INVALID_START'],
    ['start on Easter Monday (a bank holiday)', () => ({ start: '2027-03-29T10:00:00+01:00' }), 409, 'SLOT_NOT_IN_DIARY'],
    ['start on a Saturday', () => ({ start: '2027-06-12T10:00:00+01:00' }), 409, 'SLOT_NOT_IN_DIARY'],
    ['start after hours', () => ({ start: '2027-06-08T16:30:00+01:00' }), 409, 'SLOT_NOT_IN_DIARY'],
    ['start before the pattern is valid', () => ({ start: '2026-12-07T10:00:00Z' }), 409, 'SLOT_NOT_IN_DIARY'],
    ['start at the end of year 9999', () => ({ start: '9999-12-31T23:00:00Z' }), '4xx', undefined],
    ['start in year 0001', () => ({ start: '0001-01-01T09:00:00Z' }), '4xx', undefined],
    ['start in the past', (f) => ({ adviserId: f.pastAdviserId, siteId: f.pastSiteId, appointmentType: f.pastTypeCode, start: '2026-06-01T10:00:00+01:00' }), 409, 'TOO_SOON'],
  ];
  return table.map(([name, edits, status, code]) => post(`${label}: ${name}`, path, (f) => patch(valid(f), edits(f)), status, code));
}

describe('bad input', () => {
  // Holds last an hour here, so the fixture's live hold stays live for the whole file.
  // Webhooks as outside tests: https to public addresses only, loopback refused too.
  const e2e = useTestApp({ HOLD_MINUTES: '60', WEBHOOKS_ALLOW_LOOPBACK: 'false' });
  let f: Fixture;
  let listingsBefore: unknown[];

  const listings = async () => {
    const sheet = (date: string) => e2e.api.get(`/v1/bookings?siteId=${f.siteId}&date=${date}`).then((r) => r.body);
    return Promise.all([
      e2e.api.get('/v1/sites').then((r) => r.body),
      e2e.api.get('/v1/appointment-types').then((r) => r.body),
      e2e.api.get(`/v1/advisers/${f.adviserId}`).then((r) => r.body),
      e2e.api.get(`/v1/advisers/${f.adviserId}/patterns`).then((r) => r.body),
      e2e.api.get(`/v1/sites/${f.siteId}/rooms`).then((r) => r.body),
      sheet('2027-06-07'),
      sheet('2027-06-08'),
      e2e.api.get(`/v1/bookings/${f.bookingId}`).then((r) => r.body),
    ]);
  };

  beforeAll(async () => {
    const diary = await createDiary(e2e.api, { roomCapacity: 1 });
    await e2e.api.create(`/v1/sites/${diary.siteId}/rooms`, { name: 'Interview room 1', capacity: 2 });
    const past = await createDiary(e2e.api, { pattern: { validFrom: '2026-01-05' } });
    const otherRoom = await e2e.api.create(`/v1/sites/${past.siteId}/rooms`, { name: 'Elsewhere', capacity: 1 });
    const otherType = await e2e.api.create('/v1/appointment-types', { code: 'NOT_DELIVERED', name: 'CV clinic', durationMinutes: 30, capacity: 1, channel: 'video' });
    await e2e.api.create(`/v1/sites/${diary.siteId}/closures`, { date: '2027-08-20', reason: 'Staff training' });
    const bookingStart = '2027-06-07T09:00:00+01:00';
    const booking = await e2e.api.create('/v1/bookings', bookingBody(diary, bookingStart, 'FIX-1'));
    const cancelled = await e2e.api.create('/v1/bookings', bookingBody(diary, '2027-06-07T10:00:00+01:00', 'FIX-2'));
    const cancel = await e2e.api.post(`/v1/bookings/${cancelled.id}/cancel`, { by: 'customer', reason: 'Found work' });
    expect(cancel.status).toBe(200);
    const liveHold = await e2e.api.create('/v1/holds', slotRef(diary, '2027-06-07T11:00:00+01:00'));
    const usedHold = await e2e.api.create('/v1/holds', slotRef(diary, '2027-06-07T12:00:00+01:00'));
    await e2e.api.create('/v1/bookings', fromHold(usedHold.id, 'FIX-3'));
    f = {
      organisationId: diary.organisationId,
      siteId: diary.siteId,
      adviserId: diary.adviserId,
      typeCode: diary.typeCode,
      otherTypeCode: otherType.code,
      roomId: diary.roomId!,
      otherSiteRoomId: otherRoom.id,
      pastAdviserId: past.adviserId,
      pastSiteId: past.siteId,
      pastTypeCode: past.typeCode,
      bookingId: booking.id,
      bookingStart,
      cancelledBookingId: cancelled.id,
      liveHoldId: liveHold.id,
      usedHoldId: usedHold.id,
    };
    expect((await e2e.api.get(`/v1/bookings/${cancelled.id}`)).body.status).toBe('cancelled');
    listingsBefore = await listings();
  });

  const send = (c: Case, api = e2e.api): Promise<ApiResponse> => {
    const body = c.body?.(f);
    return api.request(c.method, c.path(f), body, c.headers);
  };

  /** Sends the case (with `api`'s key) and expects it refused as the case says, with nothing written. */
  const refused = async (c: Case, api = e2e.api) => {
    const before = await e2e.db.fingerprint();
    const response = await send(c, api);
    const after = await e2e.db.fingerprint();
    const status = c.status === '4xx' ? (response.status >= 400 && response.status < 500 ? response.status : '4xx') : c.status;
    expect({ status: response.status, code: response.body?.code }).toEqual({ status, code: c.code ?? expect.stringMatching(CODE_SHAPE) });
    expect(response.body).toEqual(expect.objectContaining({ code: expect.stringMatching(CODE_SHAPE), message: expect.any(String) }));
    expect(response.body.message.length).toBeGreaterThan(0);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    // Rejected means rejected: not a row inserted, updated or deleted anywhere.
    expect(after).toEqual(before);
  };

  it.each(cases)('$name -> $status', (c) => refused(c));

  it('validation failures say which field was wrong', async () => {
    const response = await e2e.api.post('/v1/bookings', patch(validBooking(f), { 'customer.consentToContact': 'yes', start: '2027-06-08T10:00:00' }));
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    const fields = (response.body.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['customer.consentToContact', 'start']);
  });

  it('an unknown field is named in the error', async () => {
    const response = await e2e.api.post('/v1/sites', { ...validSite, colour: 'blue' });
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual([{ field: 'colour', problems: [expect.stringContaining('colour')] }]);
  });

  it('after all the rejected requests, what the API lists is exactly what the fixture made', async () => {
    expect(await listings()).toEqual(listingsBefore);
    const counts = await e2e.db.counts();
    expect(counts).toMatchObject({ organisations: 2, sites: 2, rooms: 3, site_closures: 1, appointment_types: 3, advisers: 2, diary_patterns: 2, diary_exceptions: 0 });
    // FIX-1 booked, FIX-2 cancelled, FIX-3 from the used hold; the live hold is the only other session.
    expect(counts).toMatchObject({ bookings: 3, holds: 2, sessions: 3, customers: 3, idempotency_keys: 0 });
  });

  it('a __proto__ key is never applied to what is stored', async () => {
    const body = `{"__proto__": {"timezone": "Mars/Olympus", "minNoticeMinutes": 20159, "bankHolidays": "NONE"}, ${JSON.stringify({ ...validSite, name: 'Proto Site' }).slice(1)}`;
    const response = await e2e.api.post('/v1/sites', body);
    // Rejecting the key or dropping it are both safe; applying it would bypass validation.
    expect([201, 400]).toContain(response.status);
    const stored = await e2e.db.query(`SELECT timezone, min_notice_minutes, bank_holidays FROM sites WHERE name = 'Proto Site'`);
    expect(stored).toEqual(response.status === 201 ? [{ timezone: 'Europe/London', min_notice_minutes: 0, bank_holidays: 'ENG' }] : []);
  });

  describe('fuzz: random JSON never makes the server fail', () => {
    // Awkward values and characters that random JSON rarely hits by chance.
    const awkward = fc.constantFrom<unknown>('', ' ', 'x'.repeat(5000), -1, 0, 0.5, 1e308, -1e308, [], {}, true, null, '2027-02-30', '25:00', '9999-12-31T23:55:00Z', '0001-01-01T00:00:00Z', '2027-06-08T10:00:00+14:00', NIL, UNKNOWN, 'sms', 'email');
    const awkwardChar = fc.oneof(fc.constantFrom('\u0000', '\u001f', '\u007f', '\uD800', '\uFFFF', '\u202E', '😀', "'", '"', '\\', '%', '\n'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
    const awkwardText = fc.string({ unit: awkwardChar, minLength: 1, maxLength: 20 });
    const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), awkward, awkwardText);

    /** A valid body with a few fields replaced, removed or added. */
    const mutated = (base: Record<string, unknown>) => {
      const paths = [...leafPaths(base), 'extra', ...Object.keys(base).filter((k) => typeof base[k] === 'object').map((k) => `${k}.extra`)];
      const edit = fc.tuple(fc.constantFrom(...paths), fc.oneof(anyValue, fc.constant<unknown>(DELETE)));
      return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => patch(base, Object.fromEntries(edits)));
    };

    /** A valid body with one of its text fields replaced by awkward text, which validation lets through more often. */
    const textMutated = (base: Record<string, unknown>) => {
      const textPaths = leafPaths(base).filter((path) => typeof path.split('.').reduce<any>((o, k) => o?.[k], base) === 'string');
      return fc.tuple(fc.constantFrom(...textPaths), awkwardText).map(([path, text]) => patch(base, { [path]: text }));
    };

    // Spread over many free slots, so that a body which passes validation reaches the database.
    const slotStarts = fc.tuple(fc.constantFrom('09', '10', '11'), fc.constantFrom('09', '10', '11', '12', '13', '14', '15', '16')).map(([day, hour]) => `2027-06-${day}T${hour}:00:00+01:00`);
    const bookingBodies = () => slotStarts.chain((start) => fc.oneof(mutated(validBooking(f, start)), textMutated(validBooking(f, start))));
    const siteBody = { ...validSite, openingHours: { MON: { open: '09:00', close: '17:00' } }, minNoticeMinutes: 60 };

    const assertNoServerError = async (path: string, arbitrary: fc.Arbitrary<unknown>) => {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (body) => {
          const response = await e2e.api.post(path, body);
          if (response.status >= 500) throw new Error(`POST ${path} ${JSON.stringify(body).slice(0, 500)} -> ${response.status} ${JSON.stringify(response.body)}`);
          if (response.status >= 400) expect(response.body).toEqual(expect.objectContaining({ code: expect.stringMatching(CODE_SHAPE), message: expect.any(String) }));
        }),
        { numRuns: 100 },
      );
    };

    it('POST /v1/bookings', async () => {
      await assertNoServerError('/v1/bookings', fc.oneof(fc.jsonValue({ maxDepth: 3 }), bookingBodies(), bookingBodies()));
    });

    it('POST /v1/sites', async () => {
      await assertNoServerError('/v1/sites', fc.oneof(fc.jsonValue({ maxDepth: 3 }), mutated(siteBody), textMutated(siteBody)));
    });
  });

  describe('webhook endpoints', () => {
    // Endpoints belong to an organisation, so these go with one of its keys. The url is an IP
    // literal: registration resolves host names, and a test machine may have no DNS.
    const validEndpoint = () => ({ url: 'https://93.184.215.14/careers-hooks', events: ['booking.created', 'booking.cancelled'] });
    const ENDPOINTS = () => '/v1/webhooks/endpoints';
    let partner: Api;
    let readOnly: Api;
    let endpointId = UNKNOWN;

    beforeAll(async () => {
      const { organisationId, key } = await partnerKey(e2e.api);
      // The flood below sends 1,000 registrations: beyond the default burst of one key.
      expect((await e2e.api.request('PUT', `/v1/organisations/${organisationId}/rate-limit`, { burst: 100_000, perMinute: 1_000_000 })).status).toBe(200);
      partner = e2e.api.as(key);
      readOnly = e2e.api.as((await e2e.api.create(`/v1/organisations/${organisationId}/api-keys`, { scopes: ['slots:read'] })).key);
      endpointId = (await partner.create(ENDPOINTS(), validEndpoint())).id;
    });

    const url = (what: string, value: unknown, status: number, code: string) => post(`POST /v1/webhooks/endpoints: ${what}`, ENDPOINTS, () => ({ ...validEndpoint(), url: value }), status, code);
    const events = (what: string, value: unknown) => post(`POST /v1/webhooks/endpoints: ${what}`, ENDPOINTS, () => ({ ...validEndpoint(), events: value }), 400, V);
    const endpointCases: Case[] = [
      ...envelopeCases('POST /v1/webhooks/endpoints', ENDPOINTS, validEndpoint),
      url('url missing', undefined, 400, V),
      url('url as a number', 42, 400, V),
      url('url over 2,048 characters', `https://93.184.215.14/${'x'.repeat(2048)}`, 400, V),
      url('not a URL', 'hooks.partner.example/careers', 422, 'URL_INVALID'),
      url('a user and password in the url', 'https://user:secret@93.184.215.14/hooks', 422, 'URL_INVALID'),
      url('plain http', 'http://93.184.215.14/hooks', 422, 'URL_NOT_HTTPS'),
      url('ftp', 'ftp://93.184.215.14/hooks', 422, 'URL_NOT_HTTPS'),
      url('javascript:', 'javascript:alert(1)', 422, 'URL_NOT_HTTPS'),
      url('127.0.0.1', 'https://127.0.0.1/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('127.0.0.1 over http', 'http://127.0.0.1:8080/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('127.0.0.1 written as one number', 'https://2130706433/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('127.0.0.1 written in hex', 'https://0x7f.0.0.1/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('localhost, by its name', 'https://localhost/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('0.0.0.0', 'https://0.0.0.0/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('10.x', 'https://10.0.0.1/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('10.x at its top', 'https://10.255.255.254/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('172.16.x', 'https://172.16.5.4/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('192.168.x', 'https://192.168.1.1/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('169.254.x (cloud metadata)', 'https://169.254.169.254/latest/meta-data', 422, 'ADDRESS_NOT_ALLOWED'),
      url('CGNAT 100.64.x', 'https://100.64.0.1/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('IPv6 loopback', 'https://[::1]/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('IPv4-mapped IPv6 metadata address', 'https://[::ffff:169.254.169.254]/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('IPv6 link-local', 'https://[fe80::1]/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('IPv6 unique-local', 'https://[fd12:3456::1]/hooks', 422, 'ADDRESS_NOT_ALLOWED'),
      url('a name that does not resolve', 'https://no-such-host.invalid/hooks', 422, 'URL_UNRESOLVABLE'),
      events('events missing', undefined),
      events('no events', []),
      events('an unknown event', ['booking.deleted']),
      events('an event twice', ['booking.created', 'booking.created']),
      events('events as a string', 'booking.created'),
      events('an event in capitals', ['BOOKING.CREATED']),
      ...pathIdCases('DELETE /v1/webhooks/endpoints/:id', 'DELETE', (id) => `/v1/webhooks/endpoints/${id}`, () => undefined, 'WEBHOOK_ENDPOINT_NOT_FOUND'),
      ...pathIdCases('POST /v1/webhooks/endpoints/:id/rotate-secret', 'POST', (id) => `/v1/webhooks/endpoints/${id}/rotate-secret`, () => ({}), 'WEBHOOK_ENDPOINT_NOT_FOUND'),
      ...pathIdCases('POST /v1/webhooks/endpoints/:id/enable', 'POST', (id) => `/v1/webhooks/endpoints/${id}/enable`, () => ({}), 'WEBHOOK_ENDPOINT_NOT_FOUND'),
      ...pathIdCases('GET /v1/webhooks/endpoints/:id/deliveries', 'GET', (id) => `/v1/webhooks/endpoints/${id}/deliveries`, () => undefined, 'WEBHOOK_ENDPOINT_NOT_FOUND'),
      ...pathIdCases('POST replay (endpoint)', 'POST', (id) => `/v1/webhooks/endpoints/${id}/deliveries/${UNKNOWN}/replay`, () => ({}), 'WEBHOOK_ENDPOINT_NOT_FOUND'),
      ...pathIdCases('POST replay (delivery)', 'POST', (id) => `/v1/webhooks/endpoints/${endpointId}/deliveries/${id}/replay`, () => ({}), 'WEBHOOK_DELIVERY_NOT_FOUND'),
      get('GET deliveries: limit 0', () => `/v1/webhooks/endpoints/${endpointId}/deliveries?limit=0`, 400, V),
      get('GET deliveries: limit 101', () => `/v1/webhooks/endpoints/${endpointId}/deliveries?limit=101`, 400, V),
      get('GET deliveries: limit as a word', () => `/v1/webhooks/endpoints/${endpointId}/deliveries?limit=all`, 400, V),
    ];

    it.each(endpointCases)('$name -> $status', (c) => refused(c, partner));

    it.each([
      ['the bootstrap admin key, which belongs to no organisation', () => e2e.api, 403, 'ORGANISATION_KEY_REQUIRED'],
      ['a key without bookings:write', () => readOnly, 403, 'FORBIDDEN'],
      ['no key', () => e2e.api.as(null), 401, 'UNAUTHENTICATED'],
    ] as const)('registering with %s is refused', async (_, api, status, code) => {
      await refused(post('register', ENDPOINTS, validEndpoint, status, code), api());
      await refused(get('list', ENDPOINTS, status, code), api());
    });

    it('1,000 registrations at once: 20 endpoints, every other answer 409 TOO_MANY_ENDPOINTS, and the secrets never listed', async () => {
      const statuses: number[] = [];
      for (let batch = 0; batch < 20; batch++) {
        const answers = await Promise.all(Array.from({ length: 50 }, () => partner.post(ENDPOINTS(), validEndpoint())));
        for (const answer of answers) {
          statuses.push(answer.status);
          if (answer.status !== 201) expect(answer.body.code).toBe('TOO_MANY_ENDPOINTS');
        }
      }
      // One was registered before the flood.
      expect(statuses.filter((s) => s === 201)).toHaveLength(19);
      expect(statuses.filter((s) => s === 409)).toHaveLength(981);
      const listed = await partner.get(ENDPOINTS());
      expect(listed.body.endpoints).toHaveLength(20);
      expect(JSON.stringify(listed.body)).not.toContain('whsec_');
      for (const endpoint of listed.body.endpoints) expect((await partner.delete(`/v1/webhooks/endpoints/${endpoint.id}`)).status).toBe(204);
    });
  });
});

function leafPaths(
value: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(value).flatMap(([k, v]) => {
    const path = prefix ? `${prefix}.${k}` : k;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? [path, ...leafPaths(v as Record<string, unknown>, path)] : [path];
  });
}
