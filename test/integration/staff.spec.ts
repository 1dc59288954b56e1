import { StaffService } from '../../src/staff/staff.service';
import { useTestContext } from '../support/context';
import { organisationBody, uniq } from '../support/fixtures';

// StaffService's administration against real PostgreSQL: the list's lock-out state, deactivating
// (sign-in refused, sessions ended) and reactivating, and unlocking.

const PASSWORD = 'plum anchor tidal lantern';
const t = (iso: string) => Date.parse(iso);

describe('StaffService administration (integration)', () => {
  const ctx = useTestContext();
  const staff = () => ctx.module.get(StaffService);

  const account = async (role: 'work_coach' | 'admin' = 'work_coach') => {
    const organisation = await ctx.partners.createOrganisation(organisationBody('jobcentre'));
    return staff().create({ name: 'Jo Okafor', email: `jo.${uniq()}@jcp.example`, organisationId: organisation.id, role, password: PASSWORD });
  };

  it('lists each account with when its lock-out ends, as sign-in applies it', async () => {
    const jo = await account();
    const now = t('2027-01-04T10:00:00Z');
    for (let minute = 0; minute < 5; minute++) await ctx.dataSource.query('INSERT INTO staff_sign_in_failures (staff_id, at) VALUES ($1, $2)', [jo.id, new Date(now - (10 - minute) * 60_000)]);
    const listed = (at: number) => staff().list(at).then((all) => all.find((a) => a.id === jo.id));
    expect(await listed(now)).toMatchObject({ active: true, lockedUntil: now - 10 * 60_000 + 15 * 60_000 });
    expect(await listed(now + 6 * 60_000)).toMatchObject({ lockedUntil: null });

    await staff().unlock(jo.id);
    expect(await listed(now)).toMatchObject({ lockedUntil: null });
    await expect(staff().unlock('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ status: 404, code: 'STAFF_NOT_FOUND' });
  });

  it('deactivates an account: its sessions end, sign-in is refused as for an unknown one, and byId finds nobody; reactivating undoes it', async () => {
    const admin = await account('admin');
    const jo = await account();
    await ctx.dataSource.query("INSERT INTO staff_sessions (id_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at) VALUES ('\\x01', $1, 't', now(), now(), now() + interval '1 hour')", [jo.id]);

    await staff().setActive(jo.id, false, admin.id);
    expect(await ctx.db.count('staff_sessions', 'staff_id = $1', [jo.id])).toBe(0);
    await expect(staff().signIn(jo.email, PASSWORD)).resolves.toEqual({ ok: false, reason: 'wrong' });
    await expect(staff().byId(jo.id)).resolves.toBeNull();
    expect((await staff().list()).find((a) => a.id === jo.id)).toMatchObject({ active: false });

    await staff().setActive(jo.id, true, admin.id);
    await expect(staff().signIn(jo.email, PASSWORD)).resolves.toMatchObject({ ok: true, staff: { id: jo.id } });
  });

  it('refuses to deactivate your own account, or an unknown one', async () => {
    const admin = await account('admin');
    await expect(staff().setActive(admin.id, false, admin.id)).rejects.toMatchObject({ status: 409, code: 'OWN_ACCOUNT' });
    await expect(staff().setActive('00000000-0000-4000-8000-000000000000', false, admin.id)).rejects.toMatchObject({ status: 404, code: 'STAFF_NOT_FOUND' });
    await expect(staff().byId(admin.id)).resolves.not.toBeNull();
  });
});
