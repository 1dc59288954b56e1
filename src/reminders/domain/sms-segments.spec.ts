import fc from 'fast-check';
import { fitsInSegments, MAX_REMINDER_SEGMENTS, smsSegments, toGsm } from './sms-segments';

const RUNS = { numRuns: 300 };
const x = (s: string, n: number) => s.repeat(n);

// GSM 03.38 transcribed independently, row by row as in the standard (0x1B ESC omitted).
const GSM_BASIC_ROWS = [
  '@£$¥èéùìòÇ\nØø\rÅå',
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ',
  ' !"#¤%&\'()*+,-./',
  '0123456789:;<=>?',
  '¡ABCDEFGHIJKLMNO',
  'PQRSTUVWXYZÄÖÑÜ§',
  '¿abcdefghijklmno',
  'pqrstuvwxyzäöñüà',
];
const GSM_BASIC = Array.from(GSM_BASIC_ROWS.join(''));
const GSM_EXT = ['\f', '^', '{', '}', '\\', '[', '~', ']', '|', '€'];
const ESC = -1;

/** Reference: encode to septets (ESC marker + code for extensions), then cut into parts, never ending a part on ESC. */
function referenceGsmSegments(text: string): number {
  const septets: number[] = [];
  for (const c of text) septets.push(...(GSM_EXT.includes(c) ? [ESC, 0] : [0]));
  if (septets.length === 0) return 0;
  if (septets.length <= 160) return 1;
  let parts = 0;
  for (let i = 0; i < septets.length; parts++) {
    const end = Math.min(i + 153, septets.length);
    i = septets[end - 1] === ESC && end < septets.length ? end - 1 : end;
  }
  return parts;
}

/** Reference: cut UTF-16 into 67-unit parts, never ending a part on a high surrogate. */
function referenceUcs2Segments(text: string): number {
  if (text.length === 0) return 0;
  if (text.length <= 70) return 1;
  let parts = 0;
  for (let i = 0; i < text.length; parts++) {
    const end = Math.min(i + 67, text.length);
    const last = text.charCodeAt(end - 1);
    i = last >= 0xd800 && last <= 0xdbff && end < text.length ? end - 1 : end;
  }
  return parts;
}

const gsmChar = fc.constantFrom(...GSM_BASIC, ...GSM_EXT);
const gsmText = fc.string({ unit: gsmChar, maxLength: 400 });
const bmpNonSurrogate = fc
  .integer({ min: 0, max: 0xffff })
  .filter((n) => n < 0xd800 || n > 0xdfff)
  .map((n) => String.fromCharCode(n));
const mixedChar = fc.oneof(gsmChar, fc.constantFrom('’', '“', 'ж', 'é', 'á', '😀', '👍🏽'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const mixedText = fc.string({ unit: mixedChar, maxLength: 300 });

describe('smsSegments: GSM-7', () => {
  it.each<[string, string, number, number]>([
    ['empty', '', 0, 0],
    ['one char', 'a', 1, 1],
    ['160 chars', x('a', 160), 160, 1],
    ['161 chars', x('a', 161), 161, 2],
    ['306 chars (2 × 153)', x('a', 306), 306, 2],
    ['307 chars', x('a', 307), 307, 3],
    ['80 euros = 160 septets', x('€', 80), 160, 1],
    ['80 euros and a letter', x('€', 80) + 'a', 161, 2],
    ['€ ending part 1 exactly', x('a', 151) + '€' + x('a', 153), 306, 2],
    ['€ straddling part 1/2 pushes a third part', x('a', 152) + '€' + x('a', 152), 306, 3],
    ['{ straddling part 1/2 pushes a third part', x('a', 152) + '{' + x('a', 152), 306, 3],
    ['{ ending part 1 exactly', x('a', 151) + '{' + x('a', 153), 306, 2],
    ['£ is basic, one septet each', x('£', 160), 160, 1],
    ['newlines count once', x('a\n', 80), 160, 1],
  ])('%s', (_name, text, units, segments) => {
    expect(smsSegments(text)).toEqual({ encoding: 'GSM-7', units, segments });
  });

  it('treats typical UK reminder text as GSM-7', () => {
    const text = 'Reminder: careers appointment at Leeds Jobcentre, Tue 4 Mar 10:00. Bring your CV & ID. Parking £2. Reply C to cancel.';
    expect(smsSegments(text)).toEqual({ encoding: 'GSM-7', units: text.length, segments: 1 });
  });
});

describe('smsSegments: UCS-2', () => {
  it.each<[string, string, number, number]>([
    ['70 units', x('’', 70), 70, 1],
    ['71 units', x('’', 71), 71, 2],
    ['134 units (2 × 67)', x('’', 134), 134, 2],
    ['135 units', x('’', 135), 135, 3],
    ['one curly quote turns GSM text into UCS-2', "You’re booked" + x('a', 57), 70, 1],
    ['a curly quote makes 71 plain chars need 2 parts', '’' + x('a', 70), 71, 2],
    ['emoji fills the single message exactly', x('’', 68) + '😀', 70, 1],
    ['emoji one unit over', x('’', 69) + '😀', 71, 2],
    ['emoji ending part 1 exactly', x('’', 65) + '😀' + x('’', 67), 134, 2],
    ['emoji straddling part 1/2 pushes a third part', x('’', 66) + '😀' + x('’', 66), 134, 3],
    ['é is GSM but á is not', x('é', 69) + 'á', 70, 1],
    ['lower-case ç is not GSM (only Ç is)', 'ç', 1, 1],
    ['the raw ESC control is not sendable as GSM text', '\x1b', 1, 1],
  ])('%s', (_name, text, units, segments) => {
    expect(smsSegments(text)).toEqual({ encoding: 'UCS-2', units, segments });
  });
});

describe('smsSegments properties', () => {
  it('is GSM-7 exactly when every character is in the GSM tables', () => {
    fc.assert(
      fc.property(mixedText, (text) => {
        const gsm = Array.from(text).every((c) => GSM_BASIC.includes(c) || GSM_EXT.includes(c));
        expect(smsSegments(text).encoding).toBe(gsm ? 'GSM-7' : 'UCS-2');
      }),
      RUNS,
    );
  });

  it('never needs fewer segments after appending a character', () => {
    fc.assert(
      fc.property(fc.oneof(gsmText, mixedText), mixedChar, (text, c) => {
        expect(smsSegments(text + c).segments).toBeGreaterThanOrEqual(smsSegments(text).segments);
      }),
      RUNS,
    );
  });

  it('matches the septet-level reference for GSM-only text', () => {
    fc.assert(
      fc.property(gsmText, (text) => {
        const extCount = Array.from(text).filter((c) => GSM_EXT.includes(c)).length;
        expect(smsSegments(text)).toEqual({ encoding: 'GSM-7', units: text.length + extCount, segments: referenceGsmSegments(text) });
      }),
      RUNS,
    );
  });

  it('is ceil(units / 153) for GSM text without extension characters, beyond 160', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...GSM_BASIC), minLength: 161, maxLength: 800 }), (text) => {
        expect(smsSegments(text).segments).toBe(Math.ceil(text.length / 153));
      }),
      RUNS,
    );
  });

  it('is ceil(length / 67) for UCS-2 text without surrogates, beyond 70', () => {
    fc.assert(
      fc.property(fc.string({ unit: bmpNonSurrogate, minLength: 70, maxLength: 500 }), (rest) => {
        const text = '’' + rest;
        expect(smsSegments(text)).toEqual({ encoding: 'UCS-2', units: text.length, segments: Math.ceil(text.length / 67) });
      }),
      RUNS,
    );
  });

  it('matches the code-unit reference for any UCS-2 text, including surrogate pairs', () => {
    fc.assert(
      fc.property(mixedText, (rest) => {
        const text = '😀' + rest;
        expect(smsSegments(text)).toEqual({ encoding: 'UCS-2', units: text.length, segments: referenceUcs2Segments(text) });
      }),
      RUNS,
    );
  });
});

describe('fitsInSegments', () => {
  it('allows two segments for reminders by default', () => {
    expect(MAX_REMINDER_SEGMENTS).toBe(2);
    expect(fitsInSegments('')).toBe(true);
    expect(fitsInSegments(x('a', 306))).toBe(true);
    expect(fitsInSegments(x('a', 307))).toBe(false);
    expect(fitsInSegments(x('’', 134))).toBe(true);
    expect(fitsInSegments(x('’', 135))).toBe(false);
  });

  it('honours an explicit maximum', () => {
    expect(fitsInSegments(x('a', 160), 1)).toBe(true);
    expect(fitsInSegments(x('a', 161), 1)).toBe(false);
    expect(fitsInSegments('a', 0)).toBe(false);
  });

  it('is segments <= max', () => {
    fc.assert(
      fc.property(mixedText, fc.integer({ min: 0, max: 6 }), (text, max) => {
        expect(fitsInSegments(text, max)).toBe(referenceSegments(text) <= max);
      }),
      RUNS,
    );
  });
});

describe('toGsm', () => {
  it.each<[string, string, string]>([
    ['drops an accent GSM-7 lacks', 'Zoë', 'Zoe'],
    ['keeps accents GSM-7 has', 'Renée Müller, Ångström', 'Renée Müller, Ångström'],
    ['drops the cedilla from ç (GSM-7 has only Ç)', 'François, Çelik', 'Francois, Çelik'],
    ['makes curly quotes straight', '“You’re booked”', '"You\'re booked"'],
    ['makes dashes and ellipses plain', 'Mon – Fri — 9…5', 'Mon - Fri - 9...5'],
    ['spells out letters with no accent to drop', 'Łukasz Œuvre', 'Lukasz OEuvre'],
    ['turns a no-break space or a tab into a space', 'LS1\u00a05AB\tLeeds', 'LS1 5AB Leeds'],
    ['turns an emoji into one question mark', 'See you 😀', 'See you ?'],
    ['turns script it cannot spell into question marks', 'Жанна', '?????'],
    ['keeps the escape-table characters', '€5 [room 2] {ok} ~ ^ | \\', '€5 [room 2] {ok} ~ ^ | \\'],
    // The same name typed with a combining diaeresis, as some keyboards and pasted text send it.
    ['drops an accent sent as a separate combining mark', 'Zoe\u0308', 'Zoe'],
  ])('%s', (_name, text, expected) => {
    expect(toGsm(text)).toBe(expected);
  });

  it('always gives GSM-7 text', () => {
    const anyText = fc.oneof(mixedText, fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 100 }));
    fc.assert(
      fc.property(anyText, (text) => {
        expect(smsSegments(toGsm(text)).encoding).toBe('GSM-7');
      }),
      RUNS,
    );
  });

  it('leaves GSM-7 text as it is', () => {
    fc.assert(
      fc.property(gsmText, (text) => {
        expect(toGsm(text)).toBe(text);
      }),
      RUNS,
    );
  });

  it('changes nothing the second time', () => {
    fc.assert(
      fc.property(fc.oneof(mixedText, fc.string({ unit: 'grapheme', maxLength: 100 })), (text) => {
        expect(toGsm(toGsm(text))).toBe(toGsm(text));
      }),
      RUNS,
    );
  });
});

function referenceSegments(text: string): number {
  const gsm = Array.from(text).every((c) => GSM_BASIC.includes(c) || GSM_EXT.includes(c));
  return gsm ? referenceGsmSegments(text) : referenceUcs2Segments(text);
}
