import { applyDecorators, ArgumentMetadata, Injectable, ParseUUIDPipe, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { isEmail, IsUUID, registerDecorator, ValidationOptions } from 'class-validator';
import { isValidDate, isValidZone, parseInstant, TIME_PATTERN } from '../time/local-time';
import { AppError } from '../errors/app-error';

function flatten(errors: ValidationError[], prefix = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Rejects unknown fields as well as bad ones: a misspelt optional field must not be silently ignored. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  stopAtFirstError: false,
  exceptionFactory: (errors) => {
    const details = flatten(errors);
    return new AppError(400, 'VALIDATION_FAILED', details.map((d) => `${d.field}: ${d.problems.join('; ')}`).join('. '), details);
  },
});

// Ids are compared as strings in places, and PostgreSQL writes UUIDs in lower case, so
// an id sent in upper case (as .NET systems do) is lower-cased on the way in.
const lowerCase = (value: unknown): unknown =>
  typeof value === 'string' ? value.toLowerCase() : Array.isArray(value) ? value.map(lowerCase) : value;

/** A path id must be a UUID. */
@Injectable()
export class UuidParam implements PipeTransform<string> {
  private readonly inner = new ParseUUIDPipe({ exceptionFactory: () => new AppError(400, 'INVALID_ID', 'The id in the path is not a UUID') });
  async transform(value: string, metadata: ArgumentMetadata) {
    return lowerCase(await this.inner.transform(value, metadata)) as string;
  }
}

/** A UUID field (or, with each, a list of them), lower-cased. */
export const IsId = (options?: ValidationOptions) => applyDecorators(Transform(({ value }) => lowerCase(value)), IsUUID('all', options));

function rule(name: string, message: string, test: (value: unknown) => boolean) {
  return (options?: ValidationOptions) => (target: object, propertyName: string) =>
    registerDecorator({ name, target: target.constructor, propertyName, options: { message: `$property ${message}`, ...options }, validator: { validate: test } });
}

// validator.js throws (URIError) on a lone UTF-16 surrogate instead of answering false.
const safely = (test: () => boolean) => {
  try {
    return test();
  } catch {
    return false;
  }
};

export const IsEmailAddress = rule('isEmailAddress', 'must be an email address', (v) => typeof v === 'string' && v.length <= 254 && safely(() => isEmail(v)));
export const IsLocalDate = rule('isLocalDate', 'must be a date as yyyy-MM-dd between 2000 and 2099', (v) => typeof v === 'string' && isValidDate(v));
export const IsLocalTime = rule('isLocalTime', 'must be a 24-hour time as HH:mm', (v) => typeof v === 'string' && TIME_PATTERN.test(v));
export const IsTimeZone = rule('isTimeZone', 'must be an IANA time zone such as Europe/London', (v) => typeof v === 'string' && isValidZone(v));
export const IsInstant = rule('isInstant', 'must be an ISO 8601 date-time with an offset, e.g. 2027-01-04T09:00:00Z, between 2000 and 2099', (v) => typeof v === 'string' && parseInstant(v) !== null);
export const IsDateOrInstant = rule(
  'isDateOrInstant',
  'must be a date (yyyy-MM-dd) or an ISO 8601 date-time with an offset',
  (v) => typeof v === 'string' && (isValidDate(v) || parseInstant(v) !== null),
);

/** A path appointment-type code. */
@Injectable()
export class CodeParam implements PipeTransform<string> {
  transform(value: string): string {
    if (!/^[A-Z][A-Z0-9_]{1,39}$/.test(value)) throw new AppError(400, 'INVALID_CODE', 'The code in the path is not an appointment type code (A-Z, 0-9 and _)');
    return value;
  }
}
