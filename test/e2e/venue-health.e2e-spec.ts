import { addDays } from '../../src/common/time/local-time';
import { useTestApp } from '../support/app';
import { BuiltDiary, createDiary, createOrganisation, partnerKey, uniq } from '../support/fixtures';

// The app's clock reads Monday 30 November 2026: the twelve whole weeks before it run from
// Monday 7 September to Sunday 29 November.
const MONDAYS = Array.from({ length: 12 }, (_, i) => addDays('2026-09-07', 7 * i));

describe('venue health (e2e)', () => {
  const e2e = useTestApp();
  let diary: BuiltDiary;
  let other: BuiltDiary;
  /** A site manager's key of a jobcentre, the venue's host, whose own organisation neither referred nor advised anyone. */
  const managerKey = async (d: BuiltDiary) => {
    const jobcentre = await createOrganisation(e2e.api, 'jobcentre');
    return (await e2e.api.create(`/v1/organisations/${jobcentre.id}/api-keys`, { scopes: ['sites:manage', 'bookings:write'], siteIds: [d.siteId] })).key as string;
  };

  /** `n` bookings made on the Tuesday of the week, for its Thursday; every sixth a DNA. */
  const week = (d: BuiltDiary, monday: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      legacyId: `VH-${uniq()}`,
      siteId: d.siteId,
      adviserId: d.adviserId,
      appointmentType: d.typeCode,
      customerReference: `C-${uniq()}`,
      bookedAt: `${addDays(monday, 1)}T10:00:00Z`,
      start: `${addDays(monday, 3)}T10:00:00Z`,
      referralSource: 'jcp',
      mandatory: false,
      outcome: i % 6 === 5 ? 'dna' : 'attended',
    }));

  beforeAll(async () => {
    [diary, other] = [await createDiary(e2e.api), await createDiary(e2e.api)];
    // Six a week for ten weeks, then two a week; before the window, and at another site, plenty that must not count.
    const rows = [
      ...MONDAYS.flatMap((monday, i) => week(diary, monday, i < 10 ? 6 : 2)),
      ...week(diary, '2026-08-31', 30),
      ...MONDAYS.flatMap((monday) => week(other, monday, 6)),
    ];
    const imported = await e2e.api.post('/v1/history/import', { rows });
    expect(imported.body).toMatchObject({ accepted: rows.length, rejected: [] });
  });

  it('counts referrals and outcomes per whole week, and warns when referrals dry up', async () => {
    const response = await e2e.api.get(`/v1/sites/${diary.siteId}/health`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ siteId: diary.siteId, from: '2026-09-07', to: '2026-11-29' });
    expect(response.body.weeks).toEqual(
      MONDAYS.map((monday, i) =>
        i < 10
          ? { weekStarting: monday, referrals: 6, appointments: 6, attended: 5, dna: 1, dnaRate: 1 / 6 }
          : { weekStarting: monday, referrals: 2, appointments: 2, attended: 2, dna: 0, dnaRate: 0 },
      ),
    );
    expect(response.body.referralFlow).toEqual({ recentWeekly: 2, priorWeekly: 6, dryingUp: true });

    const steady = await e2e.api.get(`/v1/sites/${other.siteId}/health?weeks=10`);
    expect(steady.body.weeks).toHaveLength(10);
    expect(steady.body.from).toBe('2026-09-21');
    expect(steady.body.referralFlow).toEqual({ recentWeekly: 6, priorWeekly: 6, dryingUp: false });
  });

  it("answers a site's manager, with the whole site's figures, and nobody else", async () => {
    const manager = await managerKey(diary);
    const mine = await e2e.api.as(manager).get(`/v1/sites/${diary.siteId}/health`);
    expect(mine.status).toBe(200);
    // A manager sees every appointment at the site, whoever referred or advised, here as in the DNA insights.
    expect(mine.body.weeks[0]).toMatchObject({ referrals: 6, dna: 1 });
    const dna = await e2e.api.as(manager).get(`/v1/insights/dna?from=2026-09-07&to=2026-09-13&siteId=${diary.siteId}&groupBy=week`);
    expect(dna.body.total).toMatchObject({ bookings: 6, outcomes: { dna: 1 } });

    const elsewhere = await e2e.api.as(manager).get(`/v1/sites/${other.siteId}/health`);
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 'SITE_NOT_MANAGED']);
    const partner = await partnerKey(e2e.api);
    const noScope = await e2e.api.as(partner.key).get(`/v1/sites/${diary.siteId}/health`);
    expect([noScope.status, noScope.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await e2e.api.as(null).get(`/v1/sites/${diary.siteId}/health`)).status).toBe(401);
  });
});
