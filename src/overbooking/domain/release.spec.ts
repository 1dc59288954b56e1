import fc from 'fast-check';
import { decideOverbooking } from './admission';
import { POLICY_DEFAULTS } from './policy';
import { SessionLoad } from './admission';
import { bookingRefusal, RELEASE_CEILING, ReleaseCandidate, releasedSeatRefusal } from './release';

const NOW = Date.UTC(2027, 1, 8, 9);
const HOUR = 3_600_000;
const booking = { cancelled: false, start: NOW + 24 * HOUR, showProbability: 0.4, released: false };
const caps = { maxExtraPerSession: 1, maxExtraPerDay: 5 };
const full = { capacity: 1, customers: 1 };

interface Release {
  booking: ReleaseCandidate;
  caps: typeof caps;
  session: SessionLoad;
  extrasToday: number;
}
// As ReleaseService asks: the booking's own state first (the page's button follows it), then room for the seat.
const releaseRefusal = (r: Release) => bookingRefusal(r.booking, NOW) ?? releasedSeatRefusal(r.caps, r.session, r.extrasToday);

describe('releaseRefusal', () => {
  it.each([
    ['a likely miss, its session full, room under the caps', {}, null],
    ['exactly at the ceiling', { booking: { ...booking, showProbability: RELEASE_CEILING } }, null],
    ['just above the ceiling', { booking: { ...booking, showProbability: RELEASE_CEILING + 1e-9 } }, 'LIKELY_TO_COME'],
    ['unscored, counted as certain to come', { booking: { ...booking, showProbability: null } }, 'LIKELY_TO_COME'],
    ['released already', { booking: { ...booking, released: true } }, 'ALREADY_RELEASED'],
    ['starting now', { booking: { ...booking, start: NOW } }, 'BOOKING_STARTED'],
    ['cancelled (before anything else)', { booking: { ...booking, cancelled: true, start: NOW - HOUR, released: true, showProbability: 0.9 } }, 'BOOKING_CANCELLED'],
    ['started and released: started first', { booking: { ...booking, start: NOW - HOUR, released: true } }, 'BOOKING_STARTED'],
    ['the session holds its one extra', { session: { capacity: 1, customers: 2 } }, 'CAP_SESSION'],
    ['the site has had its extras that day', { extrasToday: 5 }, 'CAP_DAY'],
    ['caps of 0: no extra at all', { caps: { maxExtraPerSession: 0, maxExtraPerDay: 5 } }, 'CAP_SESSION'],
    ['a free seat needs no cap, even of 0', { session: { capacity: 3, customers: 2 }, caps: { maxExtraPerSession: 0, maxExtraPerDay: 0 }, extrasToday: 9 }, null],
  ])('%s', (_, overrides, expected) => {
    expect(releaseRefusal({ booking, caps, session: full, extrasToday: 0, ...overrides })).toBe(expected);
  });

  const arbitrary = fc.record({
    booking: fc.record({
      cancelled: fc.boolean(),
      start: fc.integer({ min: NOW - 48 * HOUR, max: NOW + 48 * HOUR }),
      showProbability: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
      released: fc.boolean(),
    }),
    caps: fc.record({ maxExtraPerSession: fc.integer({ min: 0, max: 10 }), maxExtraPerDay: fc.integer({ min: 0, max: 50 }) }),
    session: fc.record({ capacity: fc.integer({ min: 1, max: 6 }), customers: fc.integer({ min: 1, max: 16 }) }),
    extrasToday: fc.integer({ min: 0, max: 60 }),
  });

  it('releases exactly the live, unreleased bookings at or below the ceiling whose seat the caps leave room for', () => {
    fc.assert(
      fc.property(arbitrary, (r) => {
        const b = r.booking;
        const room = r.session.customers < r.session.capacity || (r.session.customers - r.session.capacity < r.caps.maxExtraPerSession && r.extrasToday < r.caps.maxExtraPerDay);
        const allowed = !b.cancelled && b.start > NOW && !b.released && b.showProbability !== null && b.showProbability <= RELEASE_CEILING && room;
        expect(releaseRefusal(r) === null).toBe(allowed);
      }),
    );
  });

  it('admits a released seat wherever risk admission would within the same caps, and never beyond them', () => {
    fc.assert(
      fc.property(arbitrary, fc.double({ min: 0, max: 1, noNaN: true }), (r, candidate) => {
        const policy = { ...POLICY_DEFAULTS, ...r.caps, mode: 'risk' as const, noOverbookWithinHours: 0 };
        const risk = decideOverbooking({ policy, session: r.session, candidate, showRate: 0.75, extrasToday: r.extrasToday, hoursUntilStart: 24, lastBookingOverbooked: false });
        const released = releasedSeatRefusal(r.caps, r.session, r.extrasToday);
        if (risk.admit) expect(released).toBeNull();
        if (!risk.admit && (risk.reason === 'CAP_SESSION' || risk.reason === 'CAP_DAY')) expect(released).toBe(risk.reason);
      }),
    );
  });
});
