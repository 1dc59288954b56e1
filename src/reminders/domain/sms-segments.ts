/** Counts the SMS segments a message costs, as carriers (and Twilio) bill it. */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegmentCount {
  encoding: SmsEncoding;
  segments: number;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
}

/** Reminders longer than this cost more than they save, so templates must fit. */
export const MAX_REMINDER_SEGMENTS = 2;

// GSM 03.38 basic table, in code order. 0x1B (ESC) is left out: it is the escape itself, not a character anyone sends.
const GSM_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);

// Extension table: each is sent as ESC + code, so costs two septets.
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

// A concatenated part gives up 6 octets to the UDH, leaving 153 septets or 67 UCS-2 units.
const LIMITS: Record<SmsEncoding, { single: number; part: number }> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

export function smsSegments(text: string): SmsSegmentCount {
  // Iterate by code point so an emoji's surrogate pair stays one indivisible unit of size 2.
  const chars = Array.from(text);
  const gsm = chars.every((c) => GSM_BASIC.has(c) || GSM_EXTENSION.has(c));
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const sizes = chars.map((c) => (gsm ? (GSM_EXTENSION.has(c) ? 2 : 1) : c.length));
  const units = sizes.reduce((sum, size) => sum + size, 0);
  const { single, part } = LIMITS[encoding];

  if (units === 0) return { encoding, segments: 0, units };
  if (units <= single) return { encoding, segments: 1, units };

  // Greedy packing rather than ceil(units / part): an escape pair or surrogate pair that
  // would straddle a boundary is pushed whole into the next part, which can add a segment.
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments += 1;
      used = 0;
    }
    used += size;
  }
  return { encoding, segments, units };
}

export function fitsInSegments(text: string, max: number = MAX_REMINDER_SEGMENTS): boolean {
  return smsSegments(text).segments <= max;
}

// Characters people type that GSM-7 lacks but has a plain stand-in for.
const GSM_STAND_INS: Record<string, string> = {
  '‘': "'", '’': "'", '‚': "'", '“': '"', '”': '"', '„': '"', '–': '-', '—': '-', '…': '...', '\u00a0': ' ',
  Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', ı: 'i', œ: 'oe', Œ: 'OE', '\t': ' ',
};

/**
 * The text in GSM-7 only. One accented letter outside GSM-7 (a customer called Zoë, say)
 * would switch the whole message to UCS-2 and halve what fits in a segment, so accents
 * are dropped (ë → e), common typography is made plain, and anything else becomes '?'.
 */
export function toGsm(text: string): string {
  let out = '';
  for (const c of Array.from(text)) {
    if (GSM_BASIC.has(c) || GSM_EXTENSION.has(c)) out += c;
    else if (GSM_STAND_INS[c] !== undefined) out += GSM_STAND_INS[c];
    else {
      const bare = c.normalize('NFD').replace(/\p{M}/gu, '');
      // Nothing left: an accent typed as a mark after its letter (e, U+0308 for ë), dropped too.
      if (bare === '') continue;
      out += Array.from(bare).every((b) => GSM_BASIC.has(b)) ? bare : '?';
    }
  }
  return out;
}
