import fc from 'fast-check';
import { smsSegments } from '../../reminders/domain/sms-segments';
import { DAY, MINUTE } from '../../common/time/local-time';
import { DEFAULT_REMINDER_POLICY } from '../../reminders/domain/reminder-plan';
import { chooseRecipients, fits, FreedSlot, MAX_WINDOW_DAYS, OFFER_BATCH, offerExpiry, offerTiming, planRound, WaitingEntry, waitlistWording, windowProblem } from './backfill';

const HOUR = 60 * MINUTE;
const TUE_10 = Date.parse('2027-02-09T10:00:00Z');
const slot: FreedSlot = { typeId: 'type', siteId: 'site-a', start: TUE_10, end: TUE_10 + HOUR };
const entry = (id: string, overrides: Partial<WaitingEntry> = {}): WaitingEntry => ({
  id,
  typeId: 'type',
  siteIds: ['site-a', 'site-b'],
  earliest: TUE_10 - DAY,
  latest: TUE_10 + DAY,
  createdAt: Date.parse('2027-01-01T09:00:00Z'),
  ...overrides,
});

describe('fits', () => {
  it('takes a slot of their type at one of their sites wholly inside their window', () => {
    expect(fits(slot, entry('e'))).toBe(true);
    // The window's edges are inside it.
    expect(fits(slot, entry('e', { earliest: slot.start, latest: slot.end }))).toBe(true);
  });

  it('refuses another type, another site, or a slot that starts before or ends after the window', () => {
    expect(fits(slot, entry('e', { typeId: 'other' }))).toBe(false);
    expect(fits(slot, entry('e', { siteIds: ['site-b'] }))).toBe(false);
    expect(fits(slot, entry('e', { earliest: slot.start + MINUTE }))).toBe(false);
    expect(fits(slot, entry('e', { latest: slot.end - MINUTE }))).toBe(false);
  });
});

describe('chooseRecipients', () => {
  it('offers the longest waiting first, a few at a time', () => {
    const entries = ['d', 'a', 'c', 'b'].map((id, i) => entry(id, { createdAt: Date.parse('2027-01-01T09:00:00Z') + [3, 0, 2, 1][i] * HOUR }));
    expect(chooseRecipients(slot, entries).map((e) => e.id)).toEqual(['a', 'b', 'c']);
    expect(OFFER_BATCH).toBe(3);
    expect(chooseRecipients(slot, entries, 1).map((e) => e.id)).toEqual(['a']);
  });

  it('skips those it does not fit, however long they have waited', () => {
    const early = entry('early', { createdAt: 0, siteIds: ['site-b'] });
    expect(chooseRecipients(slot, [entry('late'), early]).map((e) => e.id)).toEqual(['late']);
  });

  it('breaks ties by id, so every process picks the same', () => {
    expect(chooseRecipients(slot, [entry('b'), entry('a')]).map((e) => e.id)).toEqual(['a', 'b']);
  });

  const arbitraryEntry = fc.record({
    id: fc.uuid(),
    typeId: fc.constantFrom('type', 'other'),
    siteIds: fc.subarray(['site-a', 'site-b', 'site-c'], { minLength: 1 }),
    earliest: fc.integer({ min: TUE_10 - 3 * DAY, max: TUE_10 + DAY }),
    span: fc.integer({ min: 1, max: 4 * DAY }),
    createdAt: fc.integer({ min: 0, max: 10 * DAY }),
  }).map(({ span, ...e }): WaitingEntry => ({ ...e, latest: e.earliest + span }));
  const arbitrarySlot = fc.record({
    typeId: fc.constantFrom('type', 'other'),
    siteId: fc.constantFrom('site-a', 'site-b', 'site-c'),
    start: fc.integer({ min: TUE_10 - 2 * DAY, max: TUE_10 + 2 * DAY }),
    minutes: fc.constantFrom(15, 30, 60, 90),
  }).map(({ minutes, ...s }): FreedSlot => ({ ...s, end: s.start + minutes * MINUTE }));

  it('never offers a slot outside a customer\'s window, sites or type (property)', () => {
    fc.assert(
      fc.property(arbitrarySlot, fc.array(arbitraryEntry, { maxLength: 20 }), fc.integer({ min: 1, max: 5 }), (s, entries, max) => {
        for (const chosen of chooseRecipients(s, entries, max)) {
          expect(chosen.typeId).toBe(s.typeId);
          expect(chosen.siteIds).toContain(s.siteId);
          expect(chosen.earliest).toBeLessThanOrEqual(s.start);
          expect(s.end).toBeLessThanOrEqual(chosen.latest);
        }
      }),
    );
  });

  it('passes over nobody it fits for someone who has waited less (property)', () => {
    fc.assert(
      fc.property(arbitrarySlot, fc.array(arbitraryEntry, { maxLength: 20 }), (s, entries) => {
        const chosen = chooseRecipients(s, entries);
        const fitting = entries.filter((e) => fits(s, e));
        expect(chosen).toHaveLength(Math.min(OFFER_BATCH, fitting.length));
        const lastChosen = Math.max(...chosen.map((c) => c.createdAt));
        for (const left of fitting.filter((e) => !chosen.includes(e))) expect(left.createdAt).toBeGreaterThanOrEqual(lastChosen);
      }),
    );
  });
});

describe('planRound', () => {
  const at = TUE_10 - DAY;
  const candidate = (id: string, busyUntil: number | null, overrides: Partial<WaitingEntry> = {}) => ({ ...entry(id, overrides), busyUntil });

  it('asks those free, passing over those answering another offer', () => {
    expect(planRound(slot, [candidate('busy', at + HOUR), candidate('free', null), candidate('done', at - MINUTE)], at)).toEqual({ ask: [candidate('done', at - MINUTE), candidate('free', null)] });
  });

  it('tries again when the first other offer lapses if everyone it fits is busy', () => {
    expect(planRound(slot, [candidate('a', at + 2 * HOUR), candidate('b', at + HOUR), candidate('elsewhere', null, { siteIds: ['site-b'] })], at)).toEqual({ retryAt: at + HOUR });
  });

  it('does nothing when it fits nobody', () => {
    expect(planRound(slot, [candidate('elsewhere', null, { siteIds: ['site-b'] })], at)).toBeNull();
    expect(planRound(slot, [], at)).toBeNull();
  });
});

describe('offerExpiry', () => {
  const now = Date.parse('2027-02-08T09:00:00Z');

  it('gives two hours when the slot is further off than that', () => {
    expect(offerExpiry(now, TUE_10, 0)).toBe(now + 2 * HOUR);
  });

  it('ends before the site\'s minimum notice, so whoever takes it books within the rules', () => {
    const soon = now + 2 * HOUR;
    expect(offerExpiry(now, soon, 60)).toBe(soon - 60 * MINUTE);
  });

  it('makes no offer with less than ten minutes to answer', () => {
    expect(offerExpiry(now, now + 69 * MINUTE, 60)).toBeNull();
    expect(offerExpiry(now, now + 70 * MINUTE, 60)).toBe(now + 10 * MINUTE);
    expect(offerExpiry(now, now - HOUR, 0)).toBeNull();
  });

  it('never lapses after the notice limit or before now (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -DAY, max: 3 * DAY }), fc.integer({ min: 0, max: 2880 }), (ahead, notice) => {
        const expires = offerExpiry(now, now + ahead, notice);
        if (expires === null) return;
        expect(expires).toBeGreaterThan(now);
        expect(expires).toBeLessThanOrEqual(now + 2 * HOUR);
        expect(expires).toBeLessThanOrEqual(now + ahead - notice * MINUTE);
      }),
    );
  });
});

describe('offerTiming', () => {
  const quiet = { ...DEFAULT_REMINDER_POLICY, quietFrom: '20:00', quietUntil: '08:00' };

  it('texts at once in the day', () => {
    const now = Date.parse('2027-02-08T11:00:00Z');
    expect(offerTiming(now, TUE_10, 0, 'Europe/London', quiet)).toEqual({ sendAt: now, expiresAt: now + 2 * HOUR });
  });

  it('waits for quiet hours to end, and counts the time to answer from then', () => {
    const night = Date.parse('2027-02-08T23:30:00Z');
    const morning = Date.parse('2027-02-09T08:00:00Z');
    expect(offerTiming(night, Date.parse('2027-02-09T14:00:00Z'), 0, 'Europe/London', quiet)).toEqual({ sendAt: morning, expiresAt: morning + 2 * HOUR });
    // In summer 08:00 in London is 07:00 UTC.
    const summerNight = Date.parse('2027-06-08T22:00:00Z');
    expect(offerTiming(summerNight, Date.parse('2027-06-09T13:00:00Z'), 0, 'Europe/London', quiet)?.sendAt).toBe(Date.parse('2027-06-09T07:00:00Z'));
  });

  it('makes no offer of a slot that starts before the morning leaves time to take it', () => {
    expect(offerTiming(Date.parse('2027-02-08T23:30:00Z'), Date.parse('2027-02-09T08:05:00Z'), 0, 'Europe/London', quiet)).toBeNull();
  });
});

describe('windowProblem', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');

  it('accepts a window ahead, of up to sixty days', () => {
    expect(windowProblem(now, now + DAY, now + (1 + MAX_WINDOW_DAYS) * DAY)).toBeNull();
    // "From now", sent a moment ago.
    expect(windowProblem(now, now - 5_000, now + DAY)).toBeNull();
  });

  it('names what is wrong', () => {
    expect(windowProblem(now, now + DAY, now + DAY)).toBe('WINDOW_EMPTY');
    expect(windowProblem(now, now + 2 * DAY, now + DAY)).toBe('WINDOW_EMPTY');
    expect(windowProblem(now, now - 2 * DAY, now - DAY)).toBe('WINDOW_IN_PAST');
    expect(windowProblem(now, now + DAY, now + (1 + MAX_WINDOW_DAYS) * DAY + MINUTE)).toBe('WINDOW_TOO_LONG');
    // What is left of it counts, not what has passed.
    expect(windowProblem(now, now - 30 * DAY, now + 50 * DAY)).toBeNull();
  });
});

describe('waitlistWording', () => {
  const longest = { start: Date.parse('2027-09-29T10:30:00Z'), zone: 'Europe/London', siteName: 'Newcastle upon Tyne Central Library and Jobcentre Plus' };

  it('names the slot and how to take it', () => {
    expect(waitlistWording.offer({ start: TUE_10, zone: 'Europe/London', siteName: 'Lewisham Library' }, TUE_10 - 22 * HOUR)).toBe(
      'A time has come up: Tue 9 Feb 10:00 at Lewisham Library. Reply 1 by 12:00 to take it. First to reply gets it.',
    );
  });

  it('fits one GSM-7 segment with the longest site name and date', () => {
    const texts = [waitlistWording.offer(longest, longest.start - HOUR), waitlistWording.booked(longest), waitlistWording.gone(), waitlistWording.expired(), waitlistWording.onlyOne()];
    for (const text of texts) expect(smsSegments(text)).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});
