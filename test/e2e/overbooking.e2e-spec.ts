import { useTestApp } from '../support/app';
import { createDiary, createSite } from '../support/fixtures';

// Overbooking policies over HTTP: who may set them, what is refused, and the audit trail.

describe('overbooking policies (e2e)', () => {
  const e2e = useTestApp();

  const managerKey = async (organisationId: string, siteIds: string[]) =>
    (await e2e.api.create(`/v1/organisations/${organisationId}/api-keys`, { scopes: ['sites:manage'], siteIds })).key as string;

  it('starts off, and every change raises the version and is audited with who made it', async () => {
    const diary = await createDiary(e2e.api, { type: { durationMinutes: 30 } });
    const path = `/v1/sites/${diary.siteId}/overbooking-policy`;
    expect((await e2e.api.get(path)).body).toMatchObject({ siteId: diary.siteId, appointmentType: null, mode: 'off', version: 0, updatedAt: null });

    const manager = e2e.api.as(await managerKey(diary.organisationId, [diary.siteId]));
    const first = await manager.request('PUT', path, { mode: 'risk', maxRisk: 0.08 });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ mode: 'risk', maxRisk: 0.08, maxExtraPerSession: 1, pooled: true, version: 1 });
    const second = await e2e.api.request('PUT', path, { mode: 'overlap', overlapMinutes: 10 });
    expect(second.body).toMatchObject({ mode: 'overlap', overlapMinutes: 10, version: 2 });
    // One appointment type's own policy stands beside the site's.
    const own = await e2e.api.request('PUT', path, { mode: 'risk', appointmentType: diary.typeCode, pooled: false });
    expect(own.body).toMatchObject({ appointmentType: diary.typeCode, mode: 'risk', pooled: false, version: 1 });
    expect((await e2e.api.get(path)).body).toMatchObject({ mode: 'overlap', version: 2 });
    expect((await e2e.api.get(`${path}?appointmentType=${diary.typeCode}`)).body).toMatchObject({ mode: 'risk', version: 1 });

    const changes = (await manager.get(`${path}/changes`)).body.changes;
    expect(changes.map((c: { version: number; appointmentType: string | null; actorType: string }) => [c.version, c.appointmentType, c.actorType])).toEqual([
      [1, null, 'organisation'],
      [2, null, 'admin'],
      [1, diary.typeCode, 'admin'],
    ]);
    expect(changes[0]).toMatchObject({ organisationId: diary.organisationId, before: null, after: { mode: 'risk', maxRisk: 0.08 } });
    expect(changes[1]).toMatchObject({ before: { mode: 'risk', maxRisk: 0.08 }, after: { mode: 'overlap', overlapMinutes: 10 } });
  });

  it("a site manager manages only the sites named on the key; other keys cannot", async () => {
    const diary = await createDiary(e2e.api);
    const other = await createSite(e2e.api);
    const manager = e2e.api.as(await managerKey(diary.organisationId, [diary.siteId]));
    const elsewhere = await manager.request('PUT', `/v1/sites/${other.id}/overbooking-policy`, { mode: 'risk' });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.code).toBe('SITE_NOT_MANAGED');
    expect((await manager.get(`/v1/sites/${other.id}/overbooking-policy/changes`)).body.code).toBe('SITE_NOT_MANAGED');
    const booker = await e2e.api.create(`/v1/organisations/${diary.organisationId}/api-keys`, { scopes: ['bookings:write'] });
    const refused = await e2e.api.as(booker.key).request('PUT', `/v1/sites/${diary.siteId}/overbooking-policy`, { mode: 'risk' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('FORBIDDEN');
    expect(await e2e.db.query('SELECT count(*)::int AS n FROM overbooking_policies WHERE site_id = ANY ($1)', [[diary.siteId, other.id]])).toEqual([{ n: 0 }]);
  });

  it('refuses a policy that makes no sense, field by field, and changes nothing', async () => {
    const diary = await createDiary(e2e.api, { type: { durationMinutes: 30 } });
    const path = `/v1/sites/${diary.siteId}/overbooking-policy`;
    for (const [body, field] of [
      [{ mode: 'double' }, 'mode'],
      [{}, 'mode'],
      [{ mode: 'risk', maxRisk: 0 }, 'maxRisk'],
      [{ mode: 'risk', maxRisk: 0.6 }, 'maxRisk'],
      [{ mode: 'risk', maxRisk: '0.1' }, 'maxRisk'],
      [{ mode: 'risk', maxExtraPerSession: -1 }, 'maxExtraPerSession'],
      [{ mode: 'risk', maxExtraPerDay: 1000 }, 'maxExtraPerDay'],
      [{ mode: 'risk', noOverbookWithinHours: 500 }, 'noOverbookWithinHours'],
      [{ mode: 'overlap', overlapMinutes: 45 }, 'overlapMinutes'],
      [{ mode: 'overlap', overlapMinutes: 30 }, 'overlapMinutes'],
      [{ mode: 'risk', pooled: 'yes' }, 'pooled'],
      [{ mode: 'risk', appointmentType: 'lower' }, 'appointmentType'],
    ] as const) {
      const response = await e2e.api.request('PUT', path, body);
      expect({ body, status: response.status, code: response.body.code }).toEqual({ body, status: 400, code: 'VALIDATION_FAILED' });
      expect(response.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const unknownType = await e2e.api.request('PUT', path, { mode: 'risk', appointmentType: 'NO_SUCH_TYPE' });
    expect({ status: unknownType.status, code: unknownType.body.code }).toEqual({ status: 422, code: 'UNKNOWN_APPOINTMENT_TYPE' });
    const unknownSite = await e2e.api.request('PUT', '/v1/sites/00000000-0000-4000-8000-000000000000/overbooking-policy', { mode: 'risk' });
    expect(unknownSite.body.code).toBe('SITE_NOT_FOUND');
    expect(await e2e.db.query('SELECT count(*)::int AS n FROM overbooking_policy_changes WHERE site_id = $1', [diary.siteId])).toEqual([{ n: 0 }]);
  });
});
