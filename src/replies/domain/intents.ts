/**
 * What a customer's SMS reply to a reminder asks for, read tolerantly: people type "Yes!!",
 * "yes thanks", "Y", "ok 👍", "no - John", "NA" (Welsh), "Cancel.", "2". Anything this
 * cannot read with confidence is `unknown` and goes to a person: cancelling an appointment
 * on a guess costs the customer far more than a short wait for a reply.
 */

export type Verb = 'confirm' | 'cancel' | 'move';

export type Intent =
  /** `choice` is the letter of one of several bookings offered in an earlier reply ("YES B"). */
  | { kind: Verb; choice: string | null }
  /** One of the numbered options offered in an earlier reply ("Reply 1, 2 or 3"). */
  | { kind: 'pick'; option: number }
  | { kind: 'stop' }
  | { kind: 'start' }
  | { kind: 'help' }
  | { kind: 'unknown' };

/** What Twilio's own keyword handling makes of a message, before our webhook sees it. */
export type CarrierKeyword = 'STOP' | 'START' | 'HELP';

export interface ParsedReply {
  intent: Intent;
  /** Set when Twilio's default opt-out handling (no Advanced Opt-Out) acts on this very body. */
  carrierKeyword: CarrierKeyword | null;
}

/** Letters that name bookings offered as choices; never more than this many are listed. */
export const CHOICE_LETTERS = ['A', 'B', 'C', 'D'] as const;
/** Options offered as numbers (slots to move to). */
export const MAX_OPTIONS = 3;

/*
 * Twilio's default keywords on long codes (Messaging docs, "Advanced Opt-Out"; support
 * article on the OptOutType parameter). Twilio acts on them only when the whole body, trimmed
 * and in any case, is the keyword: "Stop" opts out, "Stop please" does not. It replies
 * itself, blocks further messages to the number (error 21610), and still forwards the
 * message to us.
 */
const CARRIER_KEYWORDS: Record<string, CarrierKeyword> = {
  STOP: 'STOP',
  STOPALL: 'STOP',
  UNSUBSCRIBE: 'STOP',
  END: 'STOP',
  QUIT: 'STOP',
  REVOKE: 'STOP',
  OPTOUT: 'STOP',
  CANCEL: 'STOP',
  START: 'START',
  UNSTOP: 'START',
  YES: 'START',
  HELP: 'HELP',
  INFO: 'HELP',
};

/*
 * CANCEL is both a Twilio opt-out keyword and the plainest way to say "cancel my
 * appointment". We read it as the customer means it (cancel the booking), and the service
 * also mirrors Twilio's opt-out when Twilio acted on it (carrierKeyword STOP, or the
 * OptOutType parameter under Advanced Opt-Out): Twilio will not deliver to the number
 * until START whatever we decide, so pretending otherwise only loses reminders to 21610
 * errors. Our own wording asks for NO, never CANCEL, so that a customer who follows it
 * keeps their SMS reminders for any other booking.
 */
const WORDS: Record<string, Exclude<Intent['kind'], 'pick' | 'unknown'>> = {
  YES: 'confirm',
  Y: 'confirm',
  YEP: 'confirm',
  YEAH: 'confirm',
  YA: 'confirm',
  OK: 'confirm',
  OKAY: 'confirm',
  CONFIRM: 'confirm',
  CONFIRMED: 'confirm',
  IE: 'confirm', // Welsh "yes"
  NO: 'cancel',
  N: 'cancel',
  NOPE: 'cancel',
  NAH: 'cancel',
  NA: 'cancel', // Welsh "no"
  CANCEL: 'cancel',
  CANCELLED: 'cancel',
  C: 'cancel',
  MOVE: 'move',
  REBOOK: 'move',
  RESCHEDULE: 'move',
  R: 'move',
  STOP: 'stop',
  STOPALL: 'stop',
  UNSUBSCRIBE: 'stop',
  END: 'stop',
  QUIT: 'stop',
  REVOKE: 'stop',
  OPTOUT: 'stop',
  START: 'start',
  UNSTOP: 'start',
  HELP: 'help',
  INFO: 'help',
};

// Two-word forms that are one keyword: "stop all", "opt out" (and "opt-out", once split).
const PAIRS: Record<string, string> = { 'STOP ALL': 'STOPALL', 'OPT OUT': 'OPTOUT' };

// Openings that start with a keyword but do not mean it: "no problem, see you then".
const NOT_A_KEYWORD = new Set(['NO PROBLEM', 'NO PROBS', 'NO WORRIES', 'NO PROB', 'OK BUT', 'YES BUT']);

// Words later in a confirmation or cancellation that contradict it ("yes but I can't come").
const CONTRARY: Record<Verb, Set<string>> = {
  confirm: new Set(['NO', 'NOT', 'CANT', 'CANNOT', 'WONT', 'CANCEL', 'MOVE', 'REBOOK', 'RESCHEDULE', 'LATE', 'CHANGE', 'DIFFERENT', 'ANOTHER']),
  cancel: new Set(['YES', 'CONFIRM', 'MOVE', 'REBOOK', 'RESCHEDULE', 'CHANGE', 'DIFFERENT', 'ANOTHER', 'INSTEAD']),
  move: new Set(['YES', 'CONFIRM', 'CANCEL']),
};

/** Upper-case words of plain letters and digits: accents, emoji and punctuation gone, apostrophes closed up (CAN'T is CANT). */
export function words(body: string): string[] {
  return body
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’‘`]/g, '')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
}

function carrierKeyword(body: string): CarrierKeyword | null {
  const whole = body.trim().toUpperCase();
  return Object.hasOwn(CARRIER_KEYWORDS, whole) ? CARRIER_KEYWORDS[whole] : null;
}

export function parseReply(body: string): ParsedReply {
  return { intent: intentOf(words(body)), carrierKeyword: carrierKeyword(body) };
}

function intentOf(tokens: string[]): Intent {
  if (!tokens.length) return { kind: 'unknown' };
  const pair = tokens.length > 1 ? PAIRS[`${tokens[0]} ${tokens[1]}`] : undefined;
  const [first, rest] = pair ? [pair, tokens.slice(2)] : [tokens[0], tokens.slice(1)];

  if (/^[0-9]+$/.test(first)) {
    const option = Number(first);
    return option >= 1 && option <= MAX_OPTIONS ? { kind: 'pick', option } : { kind: 'unknown' };
  }
  // "YESB" and "NOA", as typed on a small keyboard.
  const glued = /^(YES|NO|MOVE)([A-D])$/.exec(first);
  const kind = glued ? WORDS[glued[1]] : Object.hasOwn(WORDS, first) ? WORDS[first] : undefined;
  if (!kind) return { kind: 'unknown' };
  // Opting out, in, or asking for help is honoured whatever follows: "stop texting me".
  if (kind === 'stop' || kind === 'start' || kind === 'help') return { kind };
  if (rest.length && NOT_A_KEYWORD.has(`${first} ${rest[0]}`)) return { kind: 'unknown' };
  if (rest.some((word) => CONTRARY[kind].has(word))) return { kind: 'unknown' };
  const letter = glued?.[2] ?? (rest[0] && (CHOICE_LETTERS as readonly string[]).includes(rest[0]) ? rest[0] : null);
  return { kind, choice: letter };
}
