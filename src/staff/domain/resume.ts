/**
 * Signing in again mid-form: a form posted after its session ended is kept, server-side, and
 * put back into the same page once the same person has signed in. Nothing is sent again by
 * itself: they check it and press the button, with a fresh CSRF token.
 */
export interface Resume {
  /** Whose session ended: nobody else who signs in on that browser sees what they typed. */
  staffId: string;
  /** The page that showed the form (a path under /app). */
  returnTo: string;
  fields: Record<string, string | string[]>;
}

// Passwords are never written down, and the old CSRF token is worth nothing after sign-in.
const NEVER_KEPT = /password|^_csrf$/i;
// More than any of the pages' forms has: a forger's body is cut down rather than stored whole.
export const MAX_FIELDS = 60;
export const MAX_VALUES = 500;
export const MAX_LENGTH = 5000;

const START = '/app';

/** The fields of a posted form worth putting back: strings and lists of strings, never a password. */
export function keptFields(body: unknown): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  if (typeof body !== 'object' || body === null) return kept;
  for (const [name, value] of Object.entries(body).slice(0, MAX_FIELDS)) {
    if (NEVER_KEPT.test(name) || name.length > 100) continue;
    if (typeof value === 'string') kept[name] = value.slice(0, MAX_LENGTH);
    else if (Array.isArray(value)) kept[name] = value.filter((v): v is string => typeof v === 'string').slice(0, MAX_VALUES).map((v) => v.slice(0, MAX_LENGTH));
  }
  return kept;
}

/**
 * The page to go back to: the one the form was on (the Referer, which the pages' policy sends
 * only to this origin), if it is one of the pages; otherwise the start. Never another site.
 */
export function returnPath(referer: string | undefined, host: string | undefined): string {
  if (!referer || !host) return START;
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return START;
  }
  if (url.host !== host) return START;
  return pageOf(url) ?? START;
}

// Relative paths are read against an origin that can be no real site's, to see where they lead.
const HERE = 'http://here.invalid';

/**
 * The page asked for before signing in (the sign-in page's `next`), to go on to after it: a
 * path of this service's pages, as the URL parser reads it (so `//evil.example`, `/\evil.example`
 * and `/app/..//evil.example` lead nowhere), or null. Never another site: no open redirect.
 */
export function nextPath(next: unknown): string | null {
  if (typeof next !== 'string' || !next.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(next, HERE);
  } catch {
    return null;
  }
  const path = url.origin === HERE ? pageOf(url) : null;
  return path === START ? null : path;
}

/** The path of one of the pages (other than sign-in), or null. */
function pageOf(url: URL): string | null {
  if (!(url.protocol === 'http:' || url.protocol === 'https:')) return null;
  if (url.pathname !== START && !url.pathname.startsWith(`${START}/`)) return null;
  if (url.pathname === `${START}/sign-in`) return null;
  return `${url.pathname}${url.search}`.slice(0, 2000);
}

/** The kept form, if it is this person's. */
export const resumeFor = (resume: Resume | null, staffId: string): Resume | null => (resume?.staffId === staffId ? resume : null);
