import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/**
 * The app's own OpenAPI document (/docs-json) as the judge of every answer the end-to-end
 * tests receive, since partners generate their clients from it: a field documented as an
 * object that comes back a string, or an error status the document does not list, breaks
 * their code as surely as a wrong value breaks ours.
 */

/** One answer of the app, as the tests received it. */
export interface Exchange {
  method: string;
  /** The path the app routed, without any prefix a gateway put before it. */
  path: string;
  status: number;
  contentType: string | null;
  /** The body as received; empty when there was none. */
  text: string;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

// Answers that are not the API's: the document itself, and Bull Board's own JSON API for
// its dashboard. Everything else outside the document must still be the shared error shape.
const FOREIGN_JSON = [/^\/docs-json$/, /^\/admin\/queues\/api\//];

const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorView' };

const isJson = (contentType: string) => /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i.test(contentType);

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal segments first: /v1/bookings/{id} must not take /v1/bookings/export. */
  variables: number;
  operation: OperationObject;
}

const SCHEMAS = 'openapi';
const COMPONENT_REF = /^#\/components\/schemas\/(.+)$/;

/**
 * A schema of the document as Ajv takes it: references to the document's components point
 * into the schema that holds them all (Ajv compiles whatever a $ref points into, and an
 * OpenAPI document is no schema). And closed: the document reads "an object with these
 * properties"; OpenAPI lets other properties through, but a generated client drops them,
 * so a field the document does not name is as much a break as a field of the wrong type.
 */
function prepare(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prepare);
  if (value === null || typeof value !== 'object') return value;
  const copy = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, prepare(v)]));
  if (typeof copy.$ref === 'string') copy.$ref = copy.$ref.replace(COMPONENT_REF, `${SCHEMAS}#/definitions/$1`);
  if (copy.properties && copy.additionalProperties === undefined) copy.additionalProperties = false;
  // OpenAPI 3.0 writes an exclusive bound as a flag beside the bound; JSON Schema as the bound itself.
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof copy[flag] !== 'boolean') continue;
    if (copy[flag]) copy[flag] = copy[bound];
    else delete copy[flag];
    if (copy[flag] !== undefined) delete copy[bound];
  }
  return copy;
}

const show = (value: unknown) => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** A violation at a JSON pointer into the body: what the document expects there, and what came. */
function describe(error: ErrorObject): string {
  const where = error.instancePath || '(the body)';
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}: has "${(error.params as { additionalProperty: string }).additionalProperty}", which the document does not name`;
    case 'required':
      return `${where}: ${error.message}`;
    case 'enum':
      return `${where}: must be one of ${show((error.params as { allowedValues: unknown[] }).allowedValues)}, got ${show(error.data)}`;
    default:
      return `${where}: ${error.message}, got ${show(error.data)}`;
  }
}

export class ResponseContract {
  private readonly ajv: Ajv;
  private readonly operations: Operation[];
  // By the document's own schema objects, so each is compiled once.
  private readonly validators = new Map<object, ValidateFunction>();

  constructor(document: OpenAPIObject) {
    // strict: a keyword Ajv does not know is a mistake in the document, not something to skip;
    // example is OpenAPI's annotation, which Spectral checks (test/e2e/openapi.e2e-spec.ts).
    // OpenAPI 3.0's nullable needs no option: Ajv 8 reads it as OpenAPI 3.0.3 defines it.
    this.ajv = new Ajv({ allErrors: true, verbose: true, strict: true, keywords: ['example'] });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: SCHEMAS, definitions: prepare(document.components?.schemas ?? {}) });
    this.operations = Object.entries(document.paths).flatMap(([template, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}/]+\}/g, '[^/]+')}$`),
        variables: (template.match(/\{/g) ?? []).length,
        operation: item[method] as OperationObject,
      })),
    );
    this.operations.sort((a, b) => a.variables - b.variables);
  }

  /** What is wrong with an answer, as sentences; none when it keeps to the document. */
  violations(exchange: Exchange): string[] {
    // Prometheus text, the Swagger UI page and Bull Board's pages and files are not JSON and
    // not described by the document: exempt by their content type. Their own tests check them.
    if (exchange.contentType !== null && !isJson(exchange.contentType)) return this.otherMedia(exchange);
    let body: unknown;
    try {
      body = exchange.text ? JSON.parse(exchange.text) : undefined;
    } catch {
      return [`its body is not JSON: ${show(exchange.text)}`];
    }
    const { method, path, found } = this.match(exchange);
    if (!found) {
      if (FOREIGN_JSON.some((p) => p.test(path))) return [];
      // A route that does not exist, or one kept out of the document (/metrics, /admin/queues):
      // its refusals are still the API's errors.
      if (exchange.status < 400) return [`it answered ${exchange.status}, but the document has no ${method} ${path}`];
      return this.validate(ERROR_SCHEMA, body);
    }
    const response = this.response(found.operation, exchange.status);
    if (!response) return [`the document lists no ${exchange.status} answer for it (only ${Object.keys(found.operation.responses).join(', ')})`];
    const documented = response.content?.['application/json'];
    if (body === undefined) return documented ? [`it answered ${exchange.status} with no body, but the document promises JSON`] : [];
    if (!documented) return [`it answered ${exchange.status} with a JSON body, but the document describes ${response.content ? Object.keys(response.content).join(', ') : 'no body'} for that status`];
    return this.validate(documented.schema ?? {}, body);
  }

  /** Throws, with every violation, when an answer breaks the document. */
  check(exchange: Exchange): void {
    const violations = this.violations(exchange);
    if (!violations.length) return;
    const { method, path, found } = this.match(exchange);
    const operation = found ? `${found.method} ${found.template} (${found.operation.operationId})` : `${method} ${path} (not in the document)`;
    const schema = found ? this.response(found.operation, exchange.status)?.content?.['application/json']?.schema : ERROR_SCHEMA;
    const named = schema && '$ref' in schema ? ` (${schema.$ref.split('/').pop()})` : '';
    throw new Error(`The answer to ${operation}, ${exchange.status}${named}, breaks the OpenAPI document:\n  ${violations.join('\n  ')}\nBody: ${exchange.text.slice(0, 2000) || '(none)'}`);
  }

  /**
   * An answer in another media type: outside the document's JSON, so only an operation that
   * documents a non-JSON body of its own (TwiML for Twilio) is held to its status and type.
   */
  private otherMedia(exchange: Exchange): string[] {
    const { found } = this.match(exchange);
    const media = (exchange.contentType ?? '').split(';')[0].trim().toLowerCase();
    const others = (operation: OperationObject) => Object.values(operation.responses).some((r) => Object.keys((r as ResponseObject).content ?? {}).some((m) => !isJson(m)));
    if (!found || !others(found.operation)) return [];
    const response = this.response(found.operation, exchange.status);
    if (!response) return [`the document lists no ${exchange.status} answer for it (only ${Object.keys(found.operation.responses).join(', ')})`];
    return response.content?.[media] ? [] : [`it answered ${exchange.status} with ${media}, but the document describes ${response.content ? Object.keys(response.content).join(', ') : 'no body'} for that status`];
  }

  /** The document's answer for a status: its own, its range's (4XX) or the default. */
  private response(operation: OperationObject, status: number): ResponseObject | undefined {
    const key = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => operation.responses[k]);
    return key === undefined ? undefined : (operation.responses[key] as ResponseObject);
  }

  private match(exchange: Exchange) {
    // Express routes /v1/sites/ as /v1/sites.
    const path = exchange.path.replace(/(.)\/$/, '$1');
    const method = exchange.method.toUpperCase();
    return { method, path, found: this.operations.find((o) => o.method === method && o.pattern.test(path)) };
  }

  private validate(schema: object, body: unknown): string[] {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(prepare(schema) as object);
      this.validators.set(schema, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map(describe);
  }
}

const contracts = new Map<string, Promise<ResponseContract>>();

/** The contract of the app at `base`, read from its /docs-json once per app and test file. */
function contractOf(base: string): Promise<ResponseContract> {
  let contract = contracts.get(base);
  if (!contract) {
    contract = fetch(`${base}/docs-json`)
      .then((response) => {
        if (!response.ok) throw new Error(`${base}/docs-json answered ${response.status}`);
        return response.json() as Promise<OpenAPIObject>;
      })
      .then((document) => new ResponseContract(document));
    // A failed read is the test's failure, not every later test's.
    contract.catch(() => contracts.delete(base));
    contracts.set(base, contract);
  }
  return contract;
}

/**
 * fetch, with the answer checked against the document of the app that gave it: the test
 * fails on one that breaks it. `base` is where the app is published, if a gateway puts it
 * under a path. The Response comes back unread.
 */
export async function checkedFetch(url: string, init: RequestInit = {}, base = new URL(url).origin): Promise<Response> {
  const response = await fetch(url, init);
  const path = new URL(response.url).pathname.slice(new URL(base).pathname.replace(/\/$/, '').length);
  const exchange = { method: init.method ?? 'GET', path, status: response.status, contentType: response.headers.get('content-type'), text: await response.clone().text() };
  (await contractOf(base)).check(exchange);
  return response;
}
