import { useTestApp } from '../support/app';
import { SteppedClock } from '../support/clock';
import { bookingBody, BuiltDiary, createDiary, fromHold, partnerKey, slotRef, uniq } from '../support/fixtures';

// Outcomes, booking histories, the list of outcomes to record, referral feedback and
// imported history, over HTTP. The app's clock is moved past an appointment's start to
// record what happened.

const MON = '2027-01-04';
const at = (time: string, date = MON) => `${date}T${time}:00Z`;
const HOUR = 3_600_000;

describe('attendance (e2e)', () => {
  const clock = new SteppedClock();
  const e2e = useTestApp({}, { clock });
  const epoch = clock.now();

  beforeEach(() => clock.set(epoch));

  /** A partner organisation with a diary whose adviser belongs to a provider, and a booking the partner made. */
  async function partnerBooking(start = at('10:00')) {
    const partner = await partnerKey(e2e.api);
    const diary = await createDiary(e2e.api);
    const booking = await e2e.api.as(partner.key).create('/v1/bookings', bookingBody(diary, start));
    return { partner, diary, booking, as: e2e.api.as(partner.key) };
  }

  const outcome = (id: string, body: unknown, api = e2e.api) => api.post(`/v1/bookings/${id}/outcome`, body);
  const history = async (id: string, api = e2e.api) => {
    const response = await api.get(`/v1/bookings/${id}/history`);
    expect(response.status).toBe(200);
    return response.body.events as { kind: string; at: string; actor: { type: string; organisationId: string | null }; data: Record<string, unknown> }[];
  };

  describe('outcomes', () => {
    it('refuses an outcome before the appointment starts, then records and corrects it, keeping every version', async () => {
      const { partner, booking, as } = await partnerBooking();
      const early = await outcome(booking.id, { outcome: 'attended' }, as);
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('TOO_EARLY');

      clock.set(Date.parse(at('10:05')));
      const first = await outcome(booking.id, { outcome: 'dna' }, as);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ bookingId: booking.id, outcome: 'dna', note: null, previous: null });
      clock.set(Date.parse(at('16:00')));
      const corrected = await outcome(booking.id, { outcome: 'late', note: 'Came at 10:40; seen' }, as);
      expect(corrected.body).toMatchObject({ outcome: 'late', note: 'Came at 10:40; seen', previous: 'dna' });
      expect(Date.parse(corrected.body.recordedAt) - Date.parse(at('16:00'))).toBeGreaterThanOrEqual(0);
      // The same again changes nothing.
      expect((await outcome(booking.id, { outcome: 'late', note: 'Came at 10:40; seen' }, as)).body).toMatchObject({ outcome: 'late', previous: null });

      const events = await history(booking.id, as);
      expect(events.map((e) => e.kind)).toEqual(['created', 'outcome_recorded', 'outcome_corrected']);
      expect(events[1]).toMatchObject({ actor: { type: 'organisation', organisationId: partner.organisationId }, data: { outcome: 'dna', previous: null } });
      expect(events[2]).toMatchObject({ at: corrected.body.recordedAt, data: { outcome: 'late', previous: 'dna', note: 'Came at 10:40; seen' } });
      expect((await as.get(`/v1/bookings/${booking.id}`)).body.outcome).toBe('late');
    });

    it("lets the adviser's provider record it, and nobody else, and never on a cancelled booking", async () => {
      const { diary, booking, as } = await partnerBooking();
      const cancelledBooking = await as.create('/v1/bookings', bookingBody(diary, at('14:00')));
      expect((await as.post(`/v1/bookings/${cancelledBooking.id}/cancel`, { by: 'customer', reason: 'Moved away' })).status).toBe(200);
      const provider = await e2e.api.create(`/v1/organisations/${diary.organisationId}/api-keys`, { scopes: ['bookings:write'] });
      const stranger = await partnerKey(e2e.api);
      clock.set(Date.parse(at('15:00')));

      const forbidden = await outcome(booking.id, { outcome: 'attended' }, e2e.api.as(stranger.key));
      expect(forbidden.status).toBe(404);
      expect(forbidden.body.code).toBe('BOOKING_NOT_FOUND');
      expect((await e2e.api.as(stranger.key).get(`/v1/bookings/${booking.id}/history`)).status).toBe(404);
      expect((await outcome(booking.id, { outcome: 'attended' }, e2e.api.as(provider.key))).status).toBe(200);
      const cancelled = await outcome(cancelledBooking.id, { outcome: 'dna' });
      expect(cancelled.status).toBe(409);
      expect(cancelled.body.code).toBe('BOOKING_CANCELLED');
    });

    it('refuses a word not in the list, an unknown booking and a bad id, changing nothing', async () => {
      const { booking } = await partnerBooking();
      clock.set(Date.parse(at('11:00')));
      const word = await outcome(booking.id, { outcome: 'no_show' });
      expect(word.status).toBe(400);
      expect(word.body.code).toBe('VALIDATION_FAILED');
      const note = await outcome(booking.id, { outcome: 'attended', note: 'x'.repeat(1001) });
      expect(note.status).toBe(400);
      expect((await outcome('00000000-0000-4000-8000-000000000000', { outcome: 'attended' })).body.code).toBe('BOOKING_NOT_FOUND');
      expect((await outcome('nope', { outcome: 'attended' })).body.code).toBe('INVALID_ID');
      expect((await e2e.api.get(`/v1/bookings/${booking.id}`)).body.outcome).toBeNull();
      expect((await history(booking.id)).map((e) => e.kind)).toEqual(['created']);
    });
  });

  it('a history keeps the held slot, the old time of a reschedule and the cancellation', async () => {
    const diary = await createDiary(e2e.api);
    const hold = await e2e.api.create('/v1/holds', slotRef(diary, at('09:00')));
    const booking = await e2e.api.create('/v1/bookings', fromHold(hold.id));
    clock.set(epoch + HOUR);
    expect((await e2e.api.post(`/v1/bookings/${booking.id}/reschedule`, slotRef(diary, at('13:00')))).status).toBe(200);
    expect((await e2e.api.post(`/v1/bookings/${booking.id}/cancel`, { by: 'service', reason: 'Adviser left' })).status).toBe(200);
    const events = await history(booking.id);
    expect(events.map((e) => e.kind)).toEqual(['held', 'created', 'rescheduled', 'cancelled']);
    expect(events[0]).toMatchObject({ actor: { type: 'admin', organisationId: null }, data: { holdId: hold.id } });
    expect(events[2].data).toEqual({
      from: { start: new Date(at('09:00')).toISOString(), siteId: diary.siteId, adviserId: diary.adviserId },
      to: { start: new Date(at('13:00')).toISOString(), siteId: diary.siteId, adviserId: diary.adviserId },
    });
    expect(events[3].data).toMatchObject({ by: 'service', reason: 'Adviser left' });
    expect(Date.parse(events[2].at)).toBeGreaterThanOrEqual(epoch + HOUR);
  });

  it('a closure that flags a booking for rebooking says so in its history', async () => {
    const { diary, booking } = await partnerBooking();
    await e2e.api.create(`/v1/sites/${diary.siteId}/closures`, { date: MON, reason: 'Flood' });
    const events = await history(booking.id);
    expect(events.map((e) => e.kind)).toEqual(['created', 'flagged_for_rebooking']);
    expect(events[1].actor).toEqual({ type: 'system', organisationId: null });
    expect(events[1].data).toHaveProperty('closureId');
  });

  it("lists the day's bookings that have started and still need an outcome", async () => {
    const diary = await createDiary(e2e.api);
    const [nine, eleven, two] = await Promise.all(['09:00', '11:00', '14:00'].map((t) => e2e.api.create('/v1/bookings', bookingBody(diary, at(t)))));
    clock.set(Date.parse(at('12:30')));
    const due = async () => (await e2e.api.get(`/v1/sites/${diary.siteId}/outcomes-due?date=${MON}`)).body;
    expect((await due()).bookings.map((b: { bookingId: string }) => b.bookingId)).toEqual([nine.id, eleven.id]);
    await outcome(nine.id, { outcome: 'attended' });
    expect((await due()).bookings.map((b: { bookingId: string }) => b.bookingId)).toEqual([eleven.id]);
    // Today by default, in the site's zone.
    expect((await e2e.api.get(`/v1/sites/${diary.siteId}/outcomes-due`)).body).toMatchObject({ date: MON, bookings: [{ bookingId: eleven.id, customerReference: expect.any(String) }] });
    expect(two.id).toBeDefined();
    const bad = await e2e.api.get(`/v1/sites/${diary.siteId}/outcomes-due?date=2027-02-30`);
    expect(bad.status).toBe(400);
  });

  it('a referring organisation sees how its own referrals turned out, and nothing of anyone else', async () => {
    const { partner, diary, booking, as } = await partnerBooking(at('09:00'));
    const second = await as.create('/v1/bookings', bookingBody(diary, at('10:00')));
    const other = await partnerKey(e2e.api);
    const theirs = await e2e.api.as(other.key).create('/v1/bookings', bookingBody(diary, at('11:00')));
    clock.set(Date.parse(at('12:00')));
    await outcome(booking.id, { outcome: 'dna' }, as);
    await outcome(second.id, { outcome: 'attended' }, as);
    await outcome(theirs.id, { outcome: 'dna' });

    const list = async (query: string, api = as) => api.get(`/v1/bookings?${query}`);
    expect((await list(`organisationId=mine&outcome=dna&from=${MON}&to=${MON}`)).body.bookings.map((b: { id: string }) => b.id)).toEqual([booking.id]);
    expect((await list(`organisationId=mine&from=${MON}&to=${MON}`)).body.bookings.map((b: { id: string }) => b.id)).toEqual([booking.id, second.id]);
    expect((await list(`organisationId=${partner.organisationId}&outcome=none&from=${MON}&to=${MON}`)).body.bookings).toEqual([]);
    const snooping = await list(`organisationId=${other.organisationId}&from=${MON}&to=${MON}`);
    expect(snooping.status).toBe(403);
    expect(snooping.body.code).toBe('FORBIDDEN');
    expect((await list(`organisationId=mine&from=${MON}`)).body.code).toBe('INVALID_FILTER');
    expect((await list(`organisationId=mine&from=2027-01-01&to=2027-06-01`)).body.code).toBe('RANGE_TOO_LARGE');
    expect((await list(`siteId=${diary.siteId}&date=${MON}&outcome=dna`)).body.code).toBe('INVALID_FILTER');
    // An admin names the organisation.
    expect((await list(`organisationId=${other.organisationId}&outcome=dna&from=${MON}&to=${MON}`, e2e.api)).body.bookings.map((b: { id: string }) => b.id)).toEqual([theirs.id]);
  });

  describe('history import', () => {
    let diary: BuiltDiary;
    const row = (overrides: Record<string, unknown> = {}) => ({
      legacyId: `OLD-${uniq()}`,
      siteId: diary.siteId,
      adviserId: diary.adviserId,
      appointmentType: diary.typeCode,
      customerReference: `C-${uniq()}`,
      bookedAt: '2026-03-02T10:00:00Z',
      start: '2026-03-09T10:00:00Z',
      referralSource: 'jcp',
      mandatory: false,
      outcome: 'attended',
      ...overrides,
    });
    const post = (body: unknown) => e2e.api.post('/v1/history/import', body);
    const csv = (text: string) => e2e.api.request('POST', '/v1/history/import', text, { 'Content-Type': 'text/csv' });

    beforeAll(async () => {
      diary = await createDiary(e2e.api);
    });

    it('takes good rows, refuses bad ones one by one, and changes nothing when the same rows come again', async () => {
      const good = [row(), row({ outcome: 'dna', mandatory: true })];
      const bad = [
        row({ outcome: 'no_show' }),
        row({ siteId: '00000000-0000-4000-8000-000000000000' }),
        row({ start: '2027-06-01T10:00:00Z' }),
        row({ bookedAt: '2026-03-10T10:00:00Z' }),
        { legacyId: 'X' },
        row({ start: 'yesterday' }),
        row({ adviserId: '00000000-0000-4000-8000-000000000000' }),
        row({ appointmentType: 'NO_SUCH_TYPE' }),
      ];
      const twice = row();
      const response = await post({ rows: [...good, ...bad, twice, { ...twice, outcome: 'dna' }] });
      expect(response.status).toBe(200);
      expect(response.body.accepted).toBe(2);
      expect(response.body.unchanged).toBe(0);
      expect(response.body.rejected.map((r: { row: number; code: string }) => [r.row, r.code])).toEqual([
        [3, 'INVALID_VALUE'],
        [4, 'UNKNOWN_SITE'],
        [5, 'DATE_OUT_OF_RANGE'],
        [6, 'DATE_OUT_OF_RANGE'],
        [7, 'MISSING_FIELD'],
        [8, 'INVALID_DATE'],
        [9, 'UNKNOWN_ADVISER'],
        [10, 'UNKNOWN_APPOINTMENT_TYPE'],
        [11, 'DUPLICATE_LEGACY_ID'],
        [12, 'DUPLICATE_LEGACY_ID'],
      ]);
      const again = await post({ rows: [{ ...good[0], outcome: 'dna' }, good[1]] });
      expect(again.body).toEqual({ accepted: 0, unchanged: 2, rejected: [] });
      const [stored] = await e2e.db.query<{ outcome: string; weekday: number; hour: number; lead_days: number }>(
        'SELECT outcome, weekday, hour, lead_days FROM attendance_records WHERE legacy_id = $1',
        [good[0].legacyId],
      );
      // Monday 9 March 2026, 10:00 GMT; booked a week before.
      expect(stored).toEqual({ outcome: 'attended', weekday: 1, hour: 10, lead_days: 7 });
      // History never occupies a slot.
      expect(await e2e.db.query('SELECT count(*)::int AS n FROM sessions WHERE adviser_id = $1', [diary.adviserId])).toEqual([{ n: 0 }]);
    });

    it('reads CSV with the same columns, in local time across the clock change', async () => {
      const id = `CSV-${uniq()}`;
      const header = 'legacyId,siteId,adviserId,appointmentType,customerReference,bookedAt,start,referralSource,mandatory,outcome';
      const line = `${id},${diary.siteId},${diary.adviserId},${diary.typeCode},"Ref, with comma",2026-03-27T09:00:00Z,2026-03-30T09:00:00Z,partner,yes,dna`;
      const response = await csv(`${header}\n${line}\n`);
      expect(response.body).toEqual({ accepted: 1, unchanged: 0, rejected: [] });
      expect(await e2e.db.query('SELECT customer_reference, mandatory, hour, weekday, lead_days FROM attendance_records WHERE legacy_id = $1', [id])).toEqual([
        { customer_reference: 'Ref, with comma', mandatory: true, hour: 10, weekday: 1, lead_days: 3 },
      ]);
    });

    it('refuses a whole request that is not an import, and imports nothing', async () => {
      const before = await e2e.db.query('SELECT count(*)::int AS n FROM attendance_records');
      const missing = await csv('legacyId,siteId\nA,B\n');
      expect(missing.status).toBe(400);
      expect(missing.body.code).toBe('MISSING_COLUMNS');
      expect((await csv('legacyId,"siteId\nA')).body.code).toBe('INVALID_CSV');
      expect((await post({ rows: 'nope' })).body.code).toBe('INVALID_IMPORT');
      expect((await post([row()])).body.code).toBe('INVALID_IMPORT');
      const tooMany = await post({ rows: Array.from({ length: 50_001 }, () => ({})) });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.code).toBe('TOO_MANY_ROWS');
      const partner = await partnerKey(e2e.api);
      expect((await e2e.api.as(partner.key).post('/v1/history/import', { rows: [row()] })).status).toBe(403);
      expect(await e2e.db.query('SELECT count(*)::int AS n FROM attendance_records')).toEqual(before);
    });
  });

  it('keeps the organisation of a booking made with an admin key null in its records', async () => {
    const diary = await createDiary(e2e.api);
    const booking = await e2e.api.create('/v1/bookings', bookingBody(diary, at('15:00')));
    expect(await e2e.db.query('SELECT organisation_id, cancelled, outcome FROM attendance_records WHERE booking_id = $1', [booking.id])).toEqual([
      { organisation_id: null, cancelled: false, outcome: null },
    ]);
  });
});
