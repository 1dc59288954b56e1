import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { Spectral } from '@stoplight/spectral-core';
import { oas } from '@stoplight/spectral-rulesets';
import { openApiDocument } from '../../src/app.factory';
import { AppModule } from '../../src/app.module';
import { loadConfig } from '../../src/common/config/config';
import { ResponseContract } from '../support/contract';
import { ADMIN_KEY } from '../support/database';

// The document partners generate their clients from, linted with Spectral's OpenAPI rules,
// and the check every other end-to-end test runs on its answers (support/contract.ts) shown
// to catch what it is there to catch. Neither needs a database: the document is built from
// the module graph alone.

// Spectral's severities (DiagnosticSeverity of @stoplight/types).
const ERROR = 0;
const WARNING = 1;

/** Warnings taken as they are; any other warning, like any error, fails the lint. */
const ACCEPTED: Record<string, string> = {
  'oas3-api-servers': 'The service runs wherever PUBLIC_BASE_URL says, often behind a gateway prefix; one fixed server URL would be wrong for every deployment but one.',
  'operation-description':
    'Operations are described by their tags, paths, response descriptions and the README; writing a paragraph for each is documentation work of its own, not part of the contract.',
};

async function buildDocument(): Promise<OpenAPIObject> {
  // preview: the modules are wired but nothing is instantiated, so nothing connects.
  const app = await NestFactory.create(AppModule.with(loadConfig({ ADMIN_API_KEY: ADMIN_KEY })), { preview: true, logger: false });
  return openApiDocument(app);
}

describe('the OpenAPI document', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    document = await buildDocument();
  });

  it("passes Spectral's OpenAPI rules (with the warnings accepted above)", async () => {
    const spectral = new Spectral();
    spectral.setRuleset({ extends: [oas as never] });
    const results = await spectral.run(document as unknown as Record<string, unknown>);
    const refused = results.filter((r) => r.severity === ERROR || (r.severity === WARNING && !ACCEPTED[String(r.code)]));
    expect(refused.map((r) => `${r.code} at ${r.path.join('.')}: ${r.message}`)).toEqual([]);
  });
});

describe('the response check', () => {
  let contract: ResponseContract;
  const site = {
    id: '5e0b1c2a-6c1d-4d7e-9a57-0f3e2b8c4d11',
    name: 'Lewisham Library',
    kind: 'library',
    address: '199 Lewisham High St',
    postcode: 'SE13 6LG',
    timezone: 'Europe/London',
    openingHours: null,
    minNoticeMinutes: 0,
    bankHolidays: 'ENG',
    area: 'South London',
    latitude: 51.4617,
    longitude: -0.0109,
  };
  const answer = (status: number, body: unknown) => ({ method: 'GET', path: `/v1/sites/${site.id}`, status, contentType: 'application/json; charset=utf-8', text: JSON.stringify(body) });

  beforeAll(async () => {
    contract = new ResponseContract(await buildDocument());
  });

  it('lets through an answer that keeps to the document', () => {
    expect(contract.violations(answer(200, site))).toEqual([]);
    expect(contract.violations(answer(200, { ...site, openingHours: { MON: { open: '09:00', close: '17:00' } } }))).toEqual([]);
    expect(contract.violations(answer(404, { code: 'SITE_NOT_FOUND', message: `No site with id ${site.id}` }))).toEqual([]);
  });

  it('fails a number where the document says string, naming the operation, the status, the JSON pointer and what was expected', () => {
    expect(() => contract.check(answer(200, { ...site, name: 42 }))).toThrow(
      'The answer to GET /v1/sites/{id} (SitesController_get), 200 (SiteView), breaks the OpenAPI document:\n  /name: must be string, got 42\n',
    );
  });

  it('fails a field the document does not name, a value outside an enum, a status it does not list, and an error that is not the shared shape', () => {
    expect(contract.violations(answer(200, { ...site, secret: 'x' }))).toEqual(['(the body): has "secret", which the document does not name']);
    expect(contract.violations(answer(200, { ...site, bankHolidays: 'FRA' }))).toEqual(['/bankHolidays: must be one of ["ENG","WLS","SCT","NIR","NONE"], got "FRA"']);
    expect(contract.violations(answer(409, { code: 'X', message: 'y' }))).toEqual(['the document lists no 409 answer for it (only 200, 400, 401, 403, 404, 429, 503)']);
    expect(contract.violations(answer(404, { error: 'Not Found' }))).toEqual([
      "(the body): must have required property 'code'",
      "(the body): must have required property 'message'",
      '(the body): has "error", which the document does not name',
    ]);
  });
});
