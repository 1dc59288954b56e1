import { Api } from '../support/api';
import { useTestApp } from '../support/app';
import { BuiltDiary, createDiary, createSite, importHistory, partnerKey } from '../support/fixtures';

// Tuning by simulation over HTTP: a site's recent weeks of imported history replayed under a
// candidate policy, beside off and the risk curve; who may ask; and that nothing is written.

/** A Monday well before the replayed weeks (the app's clock reads Monday 30 November 2026). */
const HISTORY_FROM = '2026-08-31';

describe('overbooking simulation (e2e)', () => {
  const e2e = useTestApp();

  /** Thirteen weeks of a seeded synthetic history of the diary's site up to the app's now, imported through the API. */
  const history = (diary: BuiltDiary, appointmentsPerWeek: number, seed: string) =>
    importHistory(e2e.api, diary, { seed, from: HISTORY_FROM, weeks: 13, appointmentsPerWeek });

  const managerKey = async (api: Api, organisationId: string, siteIds: string[]) => (await api.create(`/v1/organisations/${organisationId}/api-keys`, { scopes: ['sites:manage'], siteIds })).key as string;

  let diary: BuiltDiary;
  const path = () => `/v1/sites/${diary.siteId}/overbooking/simulate`;

  beforeAll(async () => {
    // Four advisers, hour-long one-to-ones MON-FRI 09:00-17:00 in a pattern entered before the history.
    diary = await createDiary(e2e.api, { advisers: 4, pattern: { validFrom: HISTORY_FROM } });
    await history(diary, 110, 'simulate-e2e');
    // Fitted to the history, so that predictions differ between customers as they do in use.
    expect((await e2e.api.post('/v1/models/show-probability/train', {})).status).toBe(200);
  });

  it('replays the last eight weeks under the policy, beside off and the risk curve, and writes nothing', async () => {
    const before = await e2e.db.fingerprint();
    const started = Date.now();
    const response = await e2e.api.post(path(), { policy: { mode: 'risk', maxRisk: 0.1, maxExtraPerDay: 20, noOverbookWithinHours: 0 } });
    const took = Date.now() - started;
    expect(response.status).toBe(200);
    const result = response.body;
    expect(result).toMatchObject({ siteId: diary.siteId, appointmentType: diary.typeCode, timezone: 'Europe/London', from: '2026-10-05', to: '2026-11-29', weeks: 8, assumedDemand: 1.5 });
    // Four advisers, eight sessions a day, five days a week, eight weeks; demand 1.5 per seat.
    expect(result.replayed).toMatchObject({ sessions: 4 * 8 * 5 * 8, seats: 4 * 8 * 5 * 8, requests: 1.5 * 4 * 8 * 5 * 8 });
    expect(result.replayed.recordedOutcomes).toBeGreaterThan(500);
    expect(result.replayed.showRate).toBeGreaterThan(0.6);
    expect(result.replayed.showRate).toBeLessThan(0.9);

    expect(result.off).toMatchObject({ label: 'off', extras: 0, collisions: 0, overtimeMinutes: 0, policy: { mode: 'off' } });
    expect(result.off.booked).toBe(result.replayed.seats);
    expect(result.off.utilisation).toBeLessThan(0.9);
    for (const run of [result.off, result.policy, ...result.curve]) expect(run.booked + run.turnedAway).toBe(result.replayed.requests);

    expect(result.curve.map((run: { label: string }) => run.label)).toEqual(['risk 2% pooled', 'risk 5% pooled', 'risk 10% pooled', 'risk 15% pooled', 'risk 20% pooled', 'risk 30% pooled']);
    expect(result.curve.every((run: { policy: { maxExtraPerDay: number } }) => run.policy.maxExtraPerDay === 20)).toBe(true);
    const utilisation = result.curve.map((run: { utilisation: number }) => run.utilisation);
    for (let i = 1; i < utilisation.length; i++) expect(utilisation[i]).toBeGreaterThanOrEqual(utilisation[i - 1]);
    expect(utilisation[0]).toBeGreaterThanOrEqual(result.off.utilisation);
    expect(utilisation[5]).toBeGreaterThan(result.off.utilisation + 0.05);
    expect(result.curve[5].extras).toBeGreaterThan(result.curve[0].extras);
    // The candidate is the curve's 10% point.
    expect(result.policy).toEqual(result.curve[2]);
    for (const run of [result.off, ...result.curve]) {
      expect(run.fairness.limit).toBe(1.25);
      expect(run.fairness.withinLimit).toBe(run.fairness.atRiskDecileRatio === null || run.fairness.atRiskDecileRatio <= 1.25);
      expect(run.fairness.byReferralSource.map((s: { referralSource: string }) => s.referralSource)).toEqual(['jcp', 'partner', 'self']);
    }

    expect(await e2e.db.fingerprint()).toEqual(before);
    expect(took).toBeLessThan(5000);
    // The same weeks, the same draws: the same figures.
    expect((await e2e.api.post(path(), { policy: { mode: 'risk', maxRisk: 0.1, maxExtraPerDay: 20, noOverbookWithinHours: 0 } })).body).toEqual(result);
  });

  it('replays overlap mode on its own grid over the same requests, and fewer weeks or another demand when asked', async () => {
    const response = await e2e.api.post(path(), { policy: { mode: 'overlap', overlapMinutes: 15 }, weeks: 4, demand: 2, appointmentType: diary.typeCode });
    expect(response.status).toBe(200);
    const result = response.body;
    expect(result).toMatchObject({ from: '2026-11-02', to: '2026-11-29', weeks: 4, assumedDemand: 2 });
    expect(result.replayed).toMatchObject({ sessions: 4 * 8 * 5 * 4, requests: 2 * 4 * 8 * 5 * 4 });
    expect(result.policy).toMatchObject({ label: 'overlap 15 min', extras: 0, policy: { mode: 'overlap', overlapMinutes: 15 } });
    // 09:00, 09:45, ... 15:45: ten sessions a day where the standard grid has eight.
    expect(result.policy.booked).toBe(4 * 10 * 5 * 4);
    expect(result.policy.seen).toBeGreaterThan(result.off.seen);
    expect(result.policy.meanWaitMinutes).toBeGreaterThan(result.off.meanWaitMinutes);
    expect(result.off).toMatchObject({ extras: 0, collisions: 0 });
  });

  it("is for the site's managers and admins only", async () => {
    const body = { policy: { mode: 'risk' } };
    const manager = e2e.api.as(await managerKey(e2e.api, diary.organisationId, [diary.siteId]));
    expect((await manager.post(path(), body)).status).toBe(200);
    const other = await createSite(e2e.api);
    const elsewhere = await manager.post(`/v1/sites/${other.id}/overbooking/simulate`, body);
    expect({ status: elsewhere.status, code: elsewhere.body.code }).toEqual({ status: 403, code: 'SITE_NOT_MANAGED' });
    const booker = await partnerKey(e2e.api);
    const refused = await e2e.api.as(booker.key).post(path(), body);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'FORBIDDEN' });
  });

  it('refuses what it cannot replay with a stable code, and writes nothing', async () => {
    const young = await createDiary(e2e.api, { pattern: { validFrom: HISTORY_FROM } });
    await history(young, 1, 'too-little');
    const ended = await createDiary(e2e.api, { pattern: { validFrom: HISTORY_FROM, validTo: '2026-11-20' } });
    await history(ended, 25, 'diary-ended');
    const before = await e2e.db.fingerprint();
    for (const [site, body, status, code] of [
      [young.siteId, { policy: { mode: 'risk' } }, 422, 'NOT_ENOUGH_HISTORY'],
      [ended.siteId, { policy: { mode: 'risk' } }, 422, 'NO_DIARY'],
      [diary.siteId, { policy: { mode: 'risk' }, weeks: 500 }, 400, 'VALIDATION_FAILED'],
      // Four advisers' 40 seats a week for 26 weeks at 3 requests a seat: 12,480 requests.
      [diary.siteId, { policy: { mode: 'risk' }, weeks: 26, demand: 3 }, 422, 'SIMULATION_TOO_LARGE'],
      [diary.siteId, { policy: { mode: 'risk', maxRisk: 0.6 } }, 400, 'VALIDATION_FAILED'],
      [diary.siteId, { policy: { mode: 'overlap', overlapMinutes: 60 } }, 400, 'VALIDATION_FAILED'],
      [diary.siteId, { policy: { mode: 'risk' }, appointmentType: 'NO_SUCH_TYPE' }, 422, 'UNKNOWN_APPOINTMENT_TYPE'],
      ['00000000-0000-4000-8000-000000000000', { policy: { mode: 'risk' } }, 404, 'SITE_NOT_FOUND'],
    ] as const) {
      const response = await e2e.api.post(`/v1/sites/${site}/overbooking/simulate`, body);
      expect({ body, status: response.status, code: response.body.code }).toEqual({ body, status, code });
    }
    const overlap = await e2e.api.post(path(), { policy: { mode: 'overlap', overlapMinutes: 60 } });
    expect(overlap.body.details.map((d: { field: string }) => d.field)).toEqual(['policy.overlapMinutes']);
    expect(await e2e.db.fingerprint()).toEqual(before);
  });
});
