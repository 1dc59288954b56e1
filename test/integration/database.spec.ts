import { randomUUID } from 'node:crypto';
import { DatabaseError } from 'pg';
import { serviceDiary, useTestContext } from '../support/context';
import { BuiltDiary } from '../support/fixtures';

// The schema's own guarantees, tested with plain SQL: whatever the application does, the
// database refuses an adviser or a room in two sessions at once.

describe('database constraints (integration)', () => {
  const ctx = useTestContext();
  let diary: BuiltDiary; // two advisers, the first with a room
  let typeId: string;

  beforeAll(async () => {
    diary = await serviceDiary(ctx, { advisers: 2, roomCapacity: 4 });
    [{ id: typeId }] = await ctx.db.query('SELECT id FROM appointment_types WHERE code = $1', [diary.typeCode]);
  });

  /** Inserts a session directly; busy runs to `busyUntil` (the end of the buffer). */
  const insertSession = (adviserId: string, start: string, end: string, busyUntil = end, roomId: string | null = null) =>
    ctx.db.query(
      `INSERT INTO sessions (id, adviser_id, site_id, room_id, appointment_type_id, starts_at, ends_at, busy, capacity)
       VALUES ($1, $2, $3, $4, $5, $6, $7, tstzrange($6, $8, '[)'), 1)`,
      [randomUUID(), adviserId, diary.siteId, roomId, typeId, start, end, busyUntil],
    );

  const refusal = async (insert: Promise<unknown>): Promise<{ code?: string; constraint?: string }> => {
    try {
      await insert;
    } catch (error) {
      expect(error).toBeInstanceOf(DatabaseError);
      const { code, constraint } = error as DatabaseError;
      return { code, constraint };
    }
    throw new Error('the database accepted the row');
  };

  it('refuses two overlapping sessions for one adviser (23P01)', async () => {
    const [a] = diary.adviserIds;
    await insertSession(a, '2027-06-07T09:00:00Z', '2027-06-07T10:00:00Z');
    expect(await refusal(insertSession(a, '2027-06-07T09:30:00Z', '2027-06-07T10:30:00Z'))).toEqual({ code: '23P01', constraint: 'sessions_adviser_no_overlap' });
    expect(await refusal(insertSession(a, '2027-06-07T08:00:00Z', '2027-06-07T11:00:00Z'))).toEqual({ code: '23P01', constraint: 'sessions_adviser_no_overlap' });
    // Back to back is fine: busy ranges are half-open.
    await insertSession(a, '2027-06-07T10:00:00Z', '2027-06-07T11:00:00Z');
    await insertSession(a, '2027-06-07T08:00:00Z', '2027-06-07T09:00:00Z');
    const rows = await ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE adviser_id = $1 AND starts_at::date = '2027-06-07'`, [a]);
    expect(rows[0].n).toBe(3);
  });

  it('counts the buffer after a session as busy', async () => {
    const [a] = diary.adviserIds;
    await insertSession(a, '2027-06-08T09:00:00Z', '2027-06-08T10:00:00Z', '2027-06-08T10:15:00Z');
    expect(await refusal(insertSession(a, '2027-06-08T10:00:00Z', '2027-06-08T11:00:00Z'))).toEqual({ code: '23P01', constraint: 'sessions_adviser_no_overlap' });
    await insertSession(a, '2027-06-08T10:15:00Z', '2027-06-08T11:15:00Z');
  });

  it('lets a session booked under an overlap policy be busy until up to an hour (the longest overlap) before it ends, and no shorter', async () => {
    const [a] = diary.adviserIds;
    await insertSession(a, '2027-06-11T09:00:00Z', '2027-06-11T10:00:00Z', '2027-06-11T09:45:00Z');
    await insertSession(a, '2027-06-11T09:45:00Z', '2027-06-11T10:45:00Z', '2027-06-11T10:30:00Z');
    await insertSession(a, '2027-06-11T11:00:00Z', '2027-06-11T13:00:00Z', '2027-06-11T12:00:00Z');
    expect((await refusal(insertSession(a, '2027-06-11T14:00:00Z', '2027-06-11T16:00:00Z', '2027-06-11T14:55:00Z'))).code).toBe('23514');
    expect((await refusal(insertSession(a, '2027-06-11T16:00:00Z', '2027-06-11T16:30:00Z', '2027-06-11T16:00:00Z'))).code).toBe('23514');
  });

  it('refuses two advisers in one room at once, but not in no room or in turn', async () => {
    const [a, b] = diary.adviserIds;
    await insertSession(a, '2027-06-09T09:00:00Z', '2027-06-09T10:00:00Z', '2027-06-09T10:00:00Z', diary.roomId!);
    expect(await refusal(insertSession(b, '2027-06-09T09:30:00Z', '2027-06-09T10:30:00Z', '2027-06-09T10:30:00Z', diary.roomId!))).toEqual({ code: '23P01', constraint: 'sessions_room_no_overlap' });
    await insertSession(b, '2027-06-09T09:30:00Z', '2027-06-09T10:30:00Z'); // no room
    await insertSession(b, '2027-06-09T10:30:00Z', '2027-06-09T11:00:00Z', '2027-06-09T11:00:00Z', diary.roomId!);
  });

  it('keeps a session consistent with its busy range, and a booked booking tied to a session', async () => {
    const [a] = diary.adviserIds;
    const mismatched = ctx.db.query(
      `INSERT INTO sessions (id, adviser_id, site_id, appointment_type_id, starts_at, ends_at, busy, capacity)
       VALUES ($1, $2, $3, $4, '2027-06-10T09:00:00Z', '2027-06-10T10:00:00Z', tstzrange('2027-06-10T09:05:00Z', '2027-06-10T10:00:00Z'), 1)`,
      [randomUUID(), a, diary.siteId, typeId],
    );
    expect((await refusal(mismatched)).code).toBe('23514');
    const customerId = randomUUID();
    await ctx.db.query(`INSERT INTO customers (id, client_id, reference, name, preferred_channel, consent_to_contact) VALUES ($1, $2, 'DB-1', 'Sam', 'none', false)`, [customerId, randomUUID()]);
    const orphan = ctx.db.query(
      `INSERT INTO bookings (id, session_id, customer_id, adviser_id, site_id, appointment_type_id, starts_at, ends_at, status, referral_source, arranged_at)
       VALUES ($1, NULL, $2, $3, $4, $5, '2027-06-10T09:00:00Z', '2027-06-10T10:00:00Z', 'booked', 'jcp', '2027-06-01T09:00:00Z')`,
      [randomUUID(), customerId, a, diary.siteId, typeId],
    );
    expect((await refusal(orphan)).code).toBe('23514');
  });
});
