import fc from 'fast-check';
import { GroupCounts } from './insights';
import { DRY_UP_RULE, healthWeeks, referralFlow, wholeWeeksBefore } from './venue-health';

const weeks = DRY_UP_RULE.recentWeeks + DRY_UP_RULE.priorWeeks;
const counts = fc.array(fc.integer({ min: 0, max: 200 }), { minLength: weeks, maxLength: 16 });

describe('referrals drying up', () => {
  it('warns when the last two weeks fall under half the eight weeks before, and not at half or over', () => {
    const prior = Array(8).fill(10);
    expect(referralFlow([...prior, 4, 5])).toEqual({ recentWeekly: 4.5, priorWeekly: 10, dryingUp: true });
    expect(referralFlow([...prior, 5, 5])!.dryingUp).toBe(false);
    expect(referralFlow([...prior, 0, 9])!.dryingUp).toBe(true);
    expect(referralFlow([...prior, 10, 0])!.dryingUp).toBe(false);
  });

  it('judges only the last ten weeks, and not at all with fewer', () => {
    expect(referralFlow(Array(9).fill(10))).toBeNull();
    expect(referralFlow([0, 0, ...Array(8).fill(10), 1, 1])).toMatchObject({ priorWeekly: 10, dryingUp: true });
  });

  it('does not judge a venue that had under two a week before', () => {
    expect(referralFlow([...Array(8).fill(1), 0, 0])).toMatchObject({ priorWeekly: 1, dryingUp: false });
    expect(referralFlow(Array(10).fill(0))!.dryingUp).toBe(false);
  });

  it('never warns of a steady flow, nor of one that grows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 500 }), fc.array(fc.integer({ min: 0, max: 50 }), { minLength: weeks, maxLength: weeks }), (level, growth) => {
        let running = level;
        const weekly = growth.map((g) => (running += g));
        expect(referralFlow(weekly)!.dryingUp).toBe(false);
      }),
    );
  });

  it('always warns once a venue that had referrals gets none', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 2, max: 200 }), { minLength: 8, maxLength: 8 }), (prior) => {
        expect(referralFlow([...prior, 0, 0])!.dryingUp).toBe(true);
      }),
    );
  });

  it('fewer recent referrals never lift a warning, and more earlier never lift one either', () => {
    fc.assert(
      fc.property(counts, fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 50 }), (weekly, back, more) => {
        const before = referralFlow(weekly)!;
        const fewerRecent = weekly.map((v, i) => (i === weekly.length - back ? Math.max(0, v - more) : v));
        const moreEarlier = weekly.map((v, i) => (i === weekly.length - weeks + back ? v + more : v));
        if (before.dryingUp) {
          expect(referralFlow(fewerRecent)!.dryingUp).toBe(true);
          expect(referralFlow(moreEarlier)!.dryingUp).toBe(true);
        }
      }),
    );
  });

  it('is the same rule at any scale: a multiple of every week gets the same answer once the venue is busy enough to judge', () => {
    fc.assert(
      fc.property(counts, fc.integer({ min: 2, max: 10 }), (weekly, k) => {
        const before = referralFlow(weekly)!;
        fc.pre(before.priorWeekly >= DRY_UP_RULE.minPriorWeekly);
        expect(referralFlow(weekly.map((v) => v * k))!.dryingUp).toBe(before.dryingUp);
      }),
    );
  });
});

describe('the weeks of venue health', () => {
  it('are the whole weeks before this one, Monday to Monday, oldest first', () => {
    expect(wholeWeeksBefore('2026-11-30', 3)).toEqual(['2026-11-09', '2026-11-16', '2026-11-23']);
    expect(wholeWeeksBefore('2026-12-06', 2)).toEqual(['2026-11-16', '2026-11-23']);
  });

  it('puts each count in its week and zeros where nothing happened', () => {
    const counts: GroupCounts = { bookings: 10, cancelledInAdvance: 1, outcomes: { attended: 5, late: 1, dna: 2, cancelled_late: 1, left_unseen: 1 }, noOutcome: 0 };
    const rows = healthWeeks(['2026-11-16', '2026-11-23'], new Map([['2026-11-23', 7]]), new Map([['2026-11-16', counts]]));
    expect(rows).toEqual([
      { weekStarting: '2026-11-16', referrals: 0, appointments: 10, attended: 7, dna: 2, dnaRate: 2 / 9 },
      { weekStarting: '2026-11-23', referrals: 7, appointments: 0, attended: 0, dna: 0, dnaRate: null },
    ]);
  });
});
