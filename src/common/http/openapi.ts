import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import type { OpenAPIObject, OperationObject, PathItemObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** Helpers for the OpenAPI document, which partners generate their clients from. */

type Annotations = Pick<SchemaObject, 'description' | 'example'> & { required?: boolean };

// OpenAPI 3.0.3: nullable adds null to the type alone. An enum beside it still refuses null,
// and so does the schema a $ref (or an allOf of one) points to; a schema that is null and
// nothing else says it to validators and generators alike.
export const NULL_ONLY: SchemaObject = { type: 'object', nullable: true, enum: [null] };

/** One of `values`, or null. */
export const ApiNullableEnum = (values: readonly string[], options: Annotations = {}) => ApiProperty({ ...options, type: 'string', nullable: true, enum: [...values, null] });

/** An object of `type` (a named schema), or null. */
export function ApiNullableRef(type: Type<unknown>, options: Annotations = {}): PropertyDecorator {
  return (target, key) => {
    // A type named only through getSchemaPath is not added to the document by itself.
    ApiExtraModels(type)(target.constructor);
    ApiProperty({ ...options, oneOf: [{ $ref: getSchemaPath(type) }, NULL_ONLY] })(target, key);
  };
}

/** The body of every error answer (see ErrorFilter and jsonBody). */
export class ErrorView {
  @ApiProperty({ example: 'SLOT_FULL', description: 'Stable and machine-readable: switch on this, not on the message.' }) code: string;
  @ApiProperty({ example: 'That slot is full', description: 'For people; the wording may change.' }) message: string;
  @ApiPropertyOptional({
    description:
      'More about the error, shaped by its code: for VALIDATION_FAILED one {field, problems} per field, for TEMPLATE_INVALID ' +
      'one {code, message} per problem, for PATTERN_OVERLAP and ROOM_CLASH the {patternId} in the way, for SLOT_FULL under an ' +
      'overbooking policy the {reason} an extra was refused (CAP_SESSION, CAP_DAY, TOO_CLOSE, REPEAT_EXTRA, RISK) and the {risk} it would have made.',
    oneOf: [{ type: 'array', items: { type: 'object' } }, { type: 'object' }],
  })
  details?: unknown;
}

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422;

// What each status means across the API; an operation adds its own codes where they help.
const MEANINGS: Record<ErrorStatus, string> = {
  400: 'The request is malformed: VALIDATION_FAILED (with details per field), or a more specific code. Nothing was written.',
  401: 'UNAUTHENTICATED: no API key, or not a valid one; API_KEY_REVOKED or API_KEY_EXPIRED: the key worked once and no longer does.',
  403: 'FORBIDDEN: the API key lacks the scope this needs.',
  404: 'No such resource; the code names what was missing, e.g. SITE_NOT_FOUND.',
  409: 'The request clashes with the current state; the code says how.',
  413: 'PAYLOAD_TOO_LARGE: the body is over 100 kB.',
  415: 'UNSUPPORTED_CHARSET or UNSUPPORTED_ENCODING: send JSON in UTF-8, uncompressed.',
  422: 'The request refers to something that does not exist or cannot be used; the code says what.',
};

/** The answers that any operation taking a JSON body can give before it runs. */
export const BODY_ERRORS = [400, 413, 415] as const;

/**
 * Documents error answers of an operation (or of every operation of a controller), each
 * with the shared ErrorView body: a status alone takes the API-wide meaning, and
 * `{ 409: 'SLOT_FULL, ...' }` adds the codes this operation gives.
 */
export function ApiErrors(...answers: (ErrorStatus | Partial<Record<ErrorStatus, string>>)[]) {
  const descriptions = new Map<ErrorStatus, string>();
  for (const answer of answers) {
    if (typeof answer === 'number') descriptions.set(answer, descriptions.get(answer) ?? MEANINGS[answer]);
    else for (const [status, codes] of Object.entries(answer)) descriptions.set(Number(status) as ErrorStatus, `${MEANINGS[Number(status) as ErrorStatus]} Here: ${codes}.`);
  }
  return applyDecorators(...[...descriptions].map(([status, description]) => ApiResponse({ status, description, type: ErrorView })));
}

const RETRY_AFTER_HEADER = { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } } as const;

const UNAVAILABLE_ANSWER = {
  description:
    'Try again after Retry-After seconds. SERVICE_UNAVAILABLE: a datastore the service needs is unreachable for now (a restart, a failover); ' +
    'RETRY: the request collided with another one, or the database is busy. The request took effect in full or not at all: repeat a POST ' +
    'with the same Idempotency-Key (where it takes one) to be sure it is done once.',
  headers: { 'Retry-After': RETRY_AFTER_HEADER },
  content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorView) } } },
};

const RATE_LIMITED_ANSWER = {
  description:
    'RATE_LIMITED: this API key has used up its requests for now (see RateLimit-Policy); try again after Retry-After seconds. ' +
    "Every answer to an organisation's key carries RateLimit and RateLimit-Policy.",
  headers: {
    'Retry-After': RETRY_AFTER_HEADER,
    RateLimit: { description: 'draft-ietf-httpapi-ratelimit-headers: r, the requests left now; t, seconds until the key has its whole burst again. E.g. "per-key";r=0;t=10', schema: { type: 'string' } },
    'RateLimit-Policy': { description: 'q, the burst; w, seconds the bucket takes to refill from empty at the sustained rate. E.g. "per-key";q=200;w=10', schema: { type: 'string' } },
  },
  content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorView) } } },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/**
 * Adds what an operation may answer whatever it does, which no decorator can be trusted to
 * repeat on each: 503 when a datastore is away or a request collided (ErrorFilter), on every
 * operation; 429 when an API key is over its rate limit (AuthGuard), on every operation that
 * takes a key, as those documenting a 401 do. An operation that documents a 503 of its own
 * (/health) keeps it. Only statuses an operation can give are added, so an answer of any
 * other status it does not list still breaks the contract.
 */
export function withSharedAnswers(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths) as PathItemObject[]) {
    for (const method of METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (!operation) continue;
      if (operation.responses['401']) operation.responses['429'] ??= RATE_LIMITED_ANSWER;
      operation.responses['503'] ??= UNAVAILABLE_ANSWER;
    }
  }
  return document;
}
