import { TrainingRow, trainingSets } from './training-set';

const DAY = 86_400_000;
const row = (day: number, outcome: TrainingRow['outcome'], overrides: Partial<TrainingRow> = {}): TrainingRow => ({
  customerReference: 'C-1',
  bookedAt: (day - 3) * DAY,
  start: day * DAY,
  outcome,
  siteId: 'site-a',
  leadDays: 3,
  referralSource: 'jcp',
  mandatory: false,
  appointmentType: 'T',
  channel: 'face_to_face',
  weekday: 1,
  hour: 10,
  reminder: null,
  ...overrides,
});

describe('trainingSets', () => {
  it('holds out a later period whole: appointments that start together fall on the same side', () => {
    const rows = [1, 2, 3, 4, 5, 6, 7, 8, 8, 8].map((day, i) => row(day, 'attended', { customerReference: `C-${i}` }));
    const sets = trainingSets(rows);
    expect(sets.heldOutFrom).toBe(8 * DAY);
    expect(sets.earlier).toHaveLength(7);
    expect(sets.heldOut).toHaveLength(3);
    expect(sets.all).toHaveLength(10);
  });

  it('leaves out late cancellations, counts only what had happened by booking, and reads a missing reminder as pending', () => {
    const sets = trainingSets([row(1, 'dna'), row(2, 'cancelled_late'), row(3, 'attended', { bookedAt: 0 }), row(10, 'attended', { reminder: 'delivered' })]);
    expect(sets.all.map((e) => [e.showed, e.signals.history, e.signals.reminder])).toEqual([
      [0, { showed: 0, missed: 0 }, 'pending'],
      // Booked before the DNA on day 1 happened.
      [1, { showed: 0, missed: 0 }, 'pending'],
      [1, { showed: 1, missed: 1 }, 'delivered'],
    ]);
  });

  it("judges the held-out period with site rates from the earlier one only", () => {
    const early = Array.from({ length: 8 }, (_, i) => row(i + 1, 'attended', { customerReference: `E-${i}` }));
    const late = [row(20, 'dna', { customerReference: 'L-1' }), row(21, 'dna', { customerReference: 'L-2' })];
    const sets = trainingSets([...early, ...late]);
    expect(sets.heldOut.every((e) => e.signals.siteShowRate === sets.earlier[0].signals.siteShowRate)).toBe(true);
    expect(sets.all[0].signals.siteShowRate).toBeLessThan(sets.earlier[0].signals.siteShowRate);
  });
});
