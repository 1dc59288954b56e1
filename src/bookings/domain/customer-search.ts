/**
 * Finding a customer's bookings from what a work coach types: their reference, their mobile
 * number or part of their name, whichever it is.
 */
export interface CustomerSearch {
  /** Matched whole, whatever its case. */
  reference: string;
  /** The number in E.164 when what was typed is a UK mobile, as customers.mobile holds it. */
  mobile: string | null;
  /** An ILIKE pattern for the name containing what was typed, its wildcards taken literally. */
  namePattern: string;
}

export const MIN_TYPED = 2;
export const MAX_TYPED = 200;

/** Escapes LIKE's wildcards and its escape character (the default, a backslash). */
export const likeLiteral = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The search for what was typed (spaces around and between words tidied), or null when it is
 * too short to find one customer or too long to be any. `mobileOf` gives the E.164 number of a
 * UK mobile, or null.
 */
export function customerSearch(typed: string, mobileOf: (typed: string) => string | null): CustomerSearch | null {
  const text = typed.trim().replace(/\s+/g, ' ');
  if (text.length < MIN_TYPED || text.length > MAX_TYPED) return null;
  return { reference: text, mobile: /\d{6}/.test(text.replace(/\D/g, '')) ? mobileOf(text) : null, namePattern: `%${likeLiteral(text)}%` };
}
