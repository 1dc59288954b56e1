import fc from 'fast-check';
import { MESSAGE_CHANNELS } from './channels';
import { MESSAGE_STEPS } from './reminder-plan';
import { MAX_REMINDER_SEGMENTS, smsSegments } from './sms-segments';
import {
  assignVariant,
  builtInTemplate,
  MessageValues,
  Placeholder,
  PLACEHOLDER_LIMITS,
  render,
  renderSms,
  Template,
  templateProblems,
  textToHtml,
  VARIANTS,
  worstCaseSms,
} from './templates';

const RUNS = { numRuns: 300 };
const KEYS = Object.keys(PLACEHOLDER_LIMITS) as Placeholder[];
const sms = (body: string): Template => ({ subject: null, body });
const codes = (channel: 'sms' | 'email', template: Template) => templateProblems(channel, template).map((p) => p.code);

const VALUES: MessageValues = {
  name: 'Priya',
  adviser: 'Sam Jones',
  appointment: 'Careers guidance',
  description: 'A conversation about your next steps.',
  duration: '1 hour',
  bring: 'Your CV.',
  site: 'Leeds Jobcentre',
  address: '1 Park Row, Leeds, LS1 5AB',
  date: 'Monday 29 March',
  time: '10:00am',
};

// Values as customers and staff type them: emoji, accents, curly quotes, characters GSM-7
// only has through its escape table (two septets each), and far more than fits.
const awkwardValue = fc.oneof(
  fc.string({ unit: fc.constantFrom('€', '[', ']', '{', '}', '~', '^', '|', '\\', 'a', 'B', ' ', '\n', 'ë', '’', '😀', 'Ж'), maxLength: 400 }),
  fc.string({ unit: fc.constantFrom('a', 'a', '€'), minLength: 300, maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.string({ minLength: 300, maxLength: 1000 }),
);
const anyValues = fc.record(Object.fromEntries(KEYS.map((key) => [key, awkwardValue]))) as unknown as fc.Arbitrary<MessageValues>;

describe('built-in templates', () => {
  it('every step, channel and variant passes the checks a saved template must pass', () => {
    const failing = MESSAGE_STEPS.flatMap((step) =>
      MESSAGE_CHANNELS.flatMap((channel) =>
        VARIANTS.map((variant) => ({ step, channel, variant, problems: templateProblems(channel, builtInTemplate(step, channel, variant)) })),
      ),
    ).filter((t) => t.problems.length > 0);
    expect(failing).toEqual([]);
  });

  it('the variants say different things, except for a cancellation', () => {
    for (const step of MESSAGE_STEPS) {
      for (const channel of MESSAGE_CHANNELS) {
        const [standard, cost] = VARIANTS.map((v) => builtInTemplate(step, channel, v).body);
        if (step === 'cancellation') expect(cost).toBe(standard);
        else expect(cost).not.toBe(standard);
      }
    }
  });

  it('an SMS rendered from any of them is GSM-7 and fits two segments, whatever the values', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MESSAGE_STEPS), fc.constantFrom(...VARIANTS), anyValues, (step, variant, values) => {
        const count = smsSegments(renderSms(builtInTemplate(step, 'sms', variant), values));
        expect(count.encoding).toBe('GSM-7');
        expect(count.segments).toBeLessThanOrEqual(MAX_REMINDER_SEGMENTS);
      }),
      RUNS,
    );
  });
});

describe('templateProblems', () => {
  it('accepts a short SMS with known placeholders, spaced or not', () => {
    expect(templateProblems('sms', sms('Hi {{name}}, see you {{ date }} at {{time}}.'))).toEqual([]);
  });

  it('flags a placeholder it does not know, in the body or the subject, naming it', () => {
    const body = templateProblems('sms', sms('See you {{when}} at {{time}}'));
    expect(body.map((p) => p.code)).toEqual(['UNKNOWN_PLACEHOLDER']);
    expect(body[0].message).toContain('{{when}}');
    expect(codes('email', { subject: 'Booked for {{when}}', body: 'Hello {{name}}' })).toEqual(['UNKNOWN_PLACEHOLDER']);
  });

  // Names every JavaScript object answers to: a template using one must be refused when
  // saved, not accepted and then break every message sent from it.
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])('flags {{%s}} as unknown too', (name) => {
    expect(codes('email', { subject: 'Your appointment', body: `Hello {{${name}}}` })).toEqual(['UNKNOWN_PLACEHOLDER']);
    expect(codes('sms', sms(`Hello {{${name}}}`))).toEqual(['UNKNOWN_PLACEHOLDER']);
  });

  it('flags an SMS too long for two segments once its placeholders are at their longest', () => {
    expect(codes('sms', sms('x'.repeat(305)))).toEqual([]);
    expect(codes('sms', sms('x'.repeat(307)))).toEqual(['TOO_LONG']);
    // 260 characters of text, but the description alone can take 300.
    expect(codes('sms', sms(`${'Please come. '.repeat(20)}{{description}}`))).toEqual(['TOO_LONG']);
    expect(codes('sms', sms(`${'Please come. '.repeat(20)}{{time}}`))).toEqual([]);
  });

  it('leaves room for an escape character falling across the break between the two parts', () => {
    // At its longest this is 306 septets, two full parts: but a description of 300 with a
    // € at septets 153-154 pushes the € whole into part two, and the message into a third.
    const tight = sms(`{{description}}${'a'.repeat(6)}`);
    const values = { ...VALUES, description: `${'a'.repeat(152)}€${'a'.repeat(146)}` };
    expect(smsSegments(renderSms(tight, values)).segments).toBe(3);
    expect(codes('sms', tight)).toEqual(['TOO_LONG']);
    // One septet shorter still fits with the € across the break.
    const fits = sms(`{{description}}${'a'.repeat(5)}`);
    expect(codes('sms', fits)).toEqual([]);
    expect(smsSegments(renderSms(fits, values)).segments).toBe(2);
  });

  it('does not limit the length of an email', () => {
    expect(codes('email', { subject: 'Your appointment', body: `${'Please come. '.repeat(200)}{{description}}` })).toEqual([]);
  });

  it('requires a subject for an email, and refuses one for an SMS', () => {
    expect(codes('email', { subject: null, body: 'Hello {{name}}' })).toEqual(['SUBJECT_REQUIRED']);
    expect(codes('email', { subject: '', body: 'Hello {{name}}' })).toEqual(['SUBJECT_REQUIRED']);
    expect(codes('sms', { subject: 'Reminder', body: 'Hello {{name}}' })).toEqual(['SUBJECT_NOT_ALLOWED']);
  });

  it('reports every problem at once', () => {
    expect(codes('sms', { subject: 'Reminder', body: `{{when}} ${'x'.repeat(400)}` })).toEqual(['UNKNOWN_PLACEHOLDER', 'SUBJECT_NOT_ALLOWED', 'TOO_LONG']);
  });

  it('an SMS it accepts fits two segments with any values', () => {
    const text = fc.string({
      unit: fc.oneof({ weight: 10, arbitrary: fc.constantFrom('a', 'B', ' ', '.', ',', ':', "'", '0') }, { weight: 1, arbitrary: fc.constantFrom('€', '[', '~', '{', '’', '…', 'ë', '😀', '\n') }),
      maxLength: 60,
    });
    const placeholder = fc.constantFrom(...KEYS).map((key) => `{{${key}}}`);
    // Padded up to a random length around the two-segment limit, often right at it, where a
    // template passes only just: padding before or after shifts where the placeholders fall.
    const template = fc
      .tuple(fc.array(fc.oneof(text, placeholder), { maxLength: 8 }), fc.oneof(fc.integer({ min: 140, max: 320 }), fc.constantFrom(305, 306)), fc.boolean())
      .map(([pieces, target, before]) => {
        const body = pieces.join('');
        const padding = 'a'.repeat(Math.max(0, target - worstCaseSms(sms(body)).units));
        return sms(before ? padding + body : body + padding);
      });
    let accepted = 0;
    fc.assert(
      fc.property(template, anyValues, (t, values) => {
        if (templateProblems('sms', t).length > 0) return;
        accepted += 1;
        const count = smsSegments(renderSms(t, values));
        expect(count.encoding).toBe('GSM-7');
        expect(count.segments).toBeLessThanOrEqual(MAX_REMINDER_SEGMENTS);
      }),
      { numRuns: 1000 },
    );
    // Most generated templates are accepted, so the property is not met by refusing them all.
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('assignVariant', () => {
  // Pinned: a change to the hashing would move live bookings between variants mid-trial.
  it.each([
    ['00000000-0000-0000-0000-000000000000', 'standard'],
    ['5f0c6a2e-4b1d-4c8e-9a7f-2d3e4f5a6b7c', 'missed_cost'],
    ['b6a1d0e2-3c4f-4a5b-8c9d-0e1f2a3b4c5d', 'standard'],
    ['0e9c3a7b-1f2d-4e6a-b8c0-9d1e2f3a4b5c', 'missed_cost'],
  ])('%s always gets %s', (bookingId, variant) => {
    expect(assignVariant(bookingId)).toBe(variant);
  });

  it('gives the same booking the same variant every time, from the list it is given', () => {
    const trial = ['a', 'b', 'c'];
    fc.assert(
      fc.property(fc.uuid(), (bookingId) => {
        expect(VARIANTS).toContain(assignVariant(bookingId));
        expect(assignVariant(bookingId)).toBe(assignVariant(bookingId));
        expect(trial).toContain(assignVariant(bookingId, trial));
        expect(assignVariant(bookingId, ['only'])).toBe('only');
      }),
      RUNS,
    );
  });

  it('splits bookings roughly evenly between the variants', () => {
    const ids = fc.sample(fc.uuid(), { numRuns: 10_000, seed: 20270329 });
    const share = (variants: readonly string[]) => {
      const counts = new Map<string, number>();
      for (const id of ids) counts.set(assignVariant(id, variants), (counts.get(assignVariant(id, variants)) ?? 0) + 1);
      return variants.map((v) => (counts.get(v) ?? 0) / ids.length);
    };
    for (const s of share(VARIANTS)) {
      expect(s).toBeGreaterThanOrEqual(0.45);
      expect(s).toBeLessThanOrEqual(0.55);
    }
    for (const s of share(['a', 'b', 'c'])) {
      expect(s).toBeGreaterThanOrEqual(0.3);
      expect(s).toBeLessThanOrEqual(0.37);
    }
  });
});

describe('render', () => {
  it('fills known placeholders, spaced or not', () => {
    expect(render('Hi {{name}}, {{ date }} at {{time}}', VALUES)).toBe('Hi Priya, Monday 29 March at 10:00am');
  });

  it('leaves a placeholder it does not know untouched', () => {
    expect(render('Dear {{x}}, see {{adviser}} {{when}}', VALUES)).toBe('Dear {{x}}, see Sam Jones {{when}}');
    expect(render('{{toString}} {{constructor}}', VALUES)).toBe('{{toString}} {{constructor}}');
  });

  it('cuts a value longer than its limit, marking the cut with "..."', () => {
    // name is limited to 15: 12 characters and the dots, without the space before them.
    expect(render('Hi {{name}}', { ...VALUES, name: 'Christopher Alexander' })).toBe('Hi Christopher...');
    expect(render('{{time}}', { ...VALUES, time: '10:00 in the morning' })).toBe('10:0...');
    expect(render('Hi {{name}}', { ...VALUES, name: 'Christopher A' })).toBe('Hi Christopher A');
  });

  it('puts a value on one line', () => {
    expect(render('At {{address}}.', { ...VALUES, address: '  1 Park Row\nLeeds\r\n\tLS1 5AB ' })).toBe('At 1 Park Row Leeds LS1 5AB.');
  });

  it('keeps every value within its limit, cutting only what is too long', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), awkwardValue, (key, value) => {
        const out = render(`{{${key}}}`, { ...VALUES, [key]: value });
        const chars = Array.from(out);
        const whole = Array.from(value.replace(/\s+/g, ' ').trim());
        expect(chars.length).toBeLessThanOrEqual(PLACEHOLDER_LIMITS[key]);
        if (whole.length <= PLACEHOLDER_LIMITS[key]) expect(chars).toEqual(whole);
        else {
          expect(out.endsWith('...')).toBe(true);
          expect(whole.join('').startsWith(out.slice(0, -3))).toBe(true);
        }
      }),
      RUNS,
    );
  });
});

describe('renderSms', () => {
  it('turns values into GSM-7 before fitting them', () => {
    expect(renderSms(sms('Hi {{name}}'), { ...VALUES, name: 'Zoë' })).toBe('Hi Zoe');
  });

  it('cuts values by septets, counting an escape character as two', () => {
    // 15 septets: six € at two each, and the dots.
    expect(renderSms(sms('{{name}}'), { ...VALUES, name: '€'.repeat(10) })).toBe(`${'€'.repeat(6)}...`);
    expect(render('{{name}}', { ...VALUES, name: '€'.repeat(10) })).toBe('€'.repeat(10));
  });
});

describe('textToHtml', () => {
  it('escapes markup and quotes, so customer text cannot become HTML', () => {
    const html = textToHtml('Fish & chips <b>"free"</b> it\'s');
    expect(html).toContain('<p>Fish &amp; chips &lt;b&gt;&quot;free&quot;&lt;/b&gt; it&#39;s</p>');
    expect(html).not.toContain('<b>');
  });

  it('makes a web address a link, the personal link among them, and nothing else', () => {
    expect(textToHtml('Change it for free: https://ncs.example/b/Xq3v9LwR0c2kTb7HnYp1aA')).toContain(
      '<p>Change it for free: <a href="https://ncs.example/b/Xq3v9LwR0c2kTb7HnYp1aA">https://ncs.example/b/Xq3v9LwR0c2kTb7HnYp1aA</a></p>',
    );
    expect(textToHtml('See http://a.example/x?y=1&z=2. Then')).toContain('See <a href="http://a.example/x?y=1&amp;z=2">http://a.example/x?y=1&amp;z=2</a>. Then');
    expect(textToHtml('javascript:alert(1) and ftp://x.example')).not.toContain('<a ');
    expect(textToHtml('https://x.example/"><script>')).not.toContain('<script>');
  });

  it('makes a paragraph of each block and a line break of each single newline', () => {
    expect(textToHtml('Hello Priya,\n\nWho: Sam\nWhen: Monday')).toContain('<body style="font-family: Arial, sans-serif; font-size: 16px; line-height: 1.5"><p>Hello Priya,</p><p>Who: Sam<br>When: Monday</p></body>');
  });

  it('leaves no markup but its own, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('<', '>', '&', '"', "'", 'a', ' ', '\n', ';', '#', 'p'), maxLength: 200 }), (text) => {
        const html = textToHtml(text);
        const body = html.slice(html.indexOf('>', html.indexOf('<body')) + 1, html.lastIndexOf('</body>'));
        const words = body.replace(/<\/?p>|<br>/g, '');
        expect(words).not.toMatch(/[<>"']/);
        expect(words.replace(/&(amp|lt|gt|quot|#39);/g, '')).not.toContain('&');
      }),
      RUNS,
    );
  });
});
