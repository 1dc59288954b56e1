import parsePhoneNumber from 'libphonenumber-js/max';
import { AppError } from '../errors/app-error';

/** A UK mobile in E.164, as customers.mobile holds it: texts go to it, so a landline or a typo must be caught when it is given. */
export function ukMobile(mobile: string): string {
  const parsed = parsePhoneNumber(mobile, 'GB');
  if (!parsed?.isValid() || parsed.getType() !== 'MOBILE') throw new AppError(400, 'INVALID_MOBILE', `${mobile} is not a valid mobile number`);
  return parsed.number;
}
