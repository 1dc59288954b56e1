import type { Page } from 'playwright-core';
import { useTestApp } from '../support/app';
import { createDiary, createOrganisation, uniq } from '../support/fixtures';
import { expectPage, PASSWORD, screenshot, submitted, tabTo, useBrowser } from './browser';

describe('pages: an admin manages staff accounts', () => {
  const e2e = useTestApp();
  const pages = useBrowser(e2e);
  const { newPage, signIn } = pages;
  let organisationId: string;

  const signedInAdmin = async (): Promise<{ page: Page; email: string }> => {
    const email = await pages.newStaff('admin', organisationId);
    const page = await newPage();
    await signIn(page, email);
    await page.waitForURL('**/app/book');
    return { page, email };
  };
  const rowOf = (page: Page, email: string) => page.locator('#staff tbody tr', { hasText: email });

  beforeAll(async () => {
    organisationId = (await createOrganisation(e2e.api, 'jobcentre')).id;
  });

  it('lists the accounts and makes a site manager for their sites, saying what is wrong first', async () => {
    const diary = await createDiary(e2e.api);
    const { page } = await signedInAdmin();
    await tabTo(page, 'a[href="/app/staff"]');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/app/staff');
    await expectPage(page, 'Staff accounts');
    await page.click('#new-staff');
    await page.waitForURL('**/app/staff/new');
    await expectPage(page, 'New staff account');

    await page.fill('#name', 'Priya <i>Shah</i>');
    await page.fill('#email', 'priya@');
    await page.check('#role-3');
    await submitted(page, () => page.click('#create'));
    await expectPage(page, 'New staff account');
    await expect(page.locator('.govuk-error-summary a').evaluateAll((links) => links.map((a) => a.getAttribute('href')))).resolves.toEqual(['#email', '#organisationId', '#managedSiteIds']);
    expect(await page.inputValue('#name')).toBe('Priya <i>Shah</i>');
    expect(await page.isChecked('#role-3')).toBe(true);

    const email = `priya.${uniq().toLowerCase()}@careers.example`;
    await page.fill('#email', email);
    await page.selectOption('#organisationId', organisationId);
    await page.check(`input[name="managedSiteIds"][value="${diary.siteId}"]`);
    await page.fill('#password', PASSWORD);
    await page.click('#create');
    await page.waitForURL('**/app/staff');
    await expectPage(page, 'Staff accounts');
    await expect(page.locator('.govuk-notification-banner').innerText()).resolves.toContain("Priya <i>Shah</i>'s account is made");
    await expect(rowOf(page, email).innerText()).resolves.toMatch(/Site manager \(1 site\)\s+Active/);
    await screenshot(page, 'staff');
    const [row] = await e2e.db.query('SELECT role, managed_site_ids::text[] AS sites, organisation_id, password_hash FROM staff WHERE email = $1', [email]);
    expect(row).toMatchObject({ role: 'site_manager', sites: [diary.siteId], organisation_id: organisationId, password_hash: expect.stringMatching(/^scrypt\$/) });

    const manager = await newPage();
    await signIn(manager, email);
    await manager.waitForURL('**/app/sites');

    // The same email again is refused on its field.
    await page.goto(`${e2e.app.url}/app/staff/new`);
    await page.fill('#name', 'Priya Again');
    await page.fill('#email', email.toUpperCase());
    await page.selectOption('#organisationId', organisationId);
    await page.click('#create');
    await page.waitForURL('**/app/staff/new');
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('There is already an account with that email address');
  });

  it('unlocks a locked-out account, and deactivates one (signed out at once) and reactivates it, but not their own', async () => {
    const { page, email: adminEmail } = await signedInAdmin();
    const coachEmail = await pages.newStaff('work_coach', organisationId);
    const coach = await newPage();
    for (let attempt = 0; attempt < 5; attempt++) await signIn(coach, coachEmail, 'not the password');
    await page.goto(`${e2e.app.url}/app/staff`);
    await expect(rowOf(page, coachEmail).innerText()).resolves.toContain('Locked until');
    expect(await rowOf(page, adminEmail).locator('button').count()).toBe(0);

    await rowOf(page, coachEmail).locator('button:has-text("Unlock")').click();
    await page.waitForURL('**/app/staff');
    await expectPage(page, 'Staff accounts');
    await expect(rowOf(page, coachEmail).innerText()).resolves.toMatch(/Active/);
    await signIn(coach, coachEmail);
    await coach.waitForURL('**/app/book');

    await rowOf(page, coachEmail).locator('button:has-text("Deactivate")').click();
    await page.waitForURL('**/app/staff');
    await expect(rowOf(page, coachEmail).innerText()).resolves.toContain('Deactivated');
    await coach.goto(`${e2e.app.url}/app/book`);
    expect(coach.url()).toMatch(/\/app\/sign-in\?next=%2Fapp%2Fbook$/);
    await signIn(coach, coachEmail);
    await coach.waitForURL('**/app/sign-in');
    await expect(coach.locator('.govuk-error-summary').innerText()).resolves.toContain('Enter a correct email address and password');

    await rowOf(page, coachEmail).locator('button:has-text("Reactivate")').click();
    await page.waitForURL('**/app/staff');
    await signIn(coach, coachEmail);
    await coach.waitForURL('**/app/book');

    // Their own account has no button, and a forged form for it changes nothing.
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const [me] = await e2e.db.query('SELECT id FROM staff WHERE email = $1', [adminEmail]);
    await page.context().request.post(`${e2e.app.url}/app/staff/${me.id}/deactivate`, { form: { _csrf: token } });
    expect((await e2e.db.query('SELECT deactivated_at FROM staff WHERE id = $1', [me.id]))[0].deactivated_at).toBeNull();
  });

  it('keeps the new-account form but never its password across an expired session', async () => {
    const { page, email } = await signedInAdmin();
    await page.goto(`${e2e.app.url}/app/staff/new`);
    await page.fill('#name', 'Grace Mensah');
    await page.fill('#email', 'grace@careers.example');
    await page.fill('#password', 'a password never written down');
    await e2e.db.query("UPDATE staff_sessions SET last_seen_at = last_seen_at - interval '2 hours' WHERE staff_id = (SELECT id FROM staff WHERE email = $1)", [email]);
    const staff = await e2e.db.count('staff');
    await page.click('#create');
    await page.waitForURL('**/app/sign-in');
    const kept = await e2e.db.query("SELECT resume FROM staff_sessions WHERE resume->'fields'->>'email' = 'grace@careers.example'");
    expect(kept).toHaveLength(1);
    expect(kept[0].resume.fields).toMatchObject({ name: 'Grace Mensah', email: 'grace@careers.example' });
    expect(JSON.stringify(kept)).not.toContain('never written down');

    await signIn(page, email);
    await page.waitForURL('**/app/staff/new');
    await expectPage(page, 'New staff account');
    expect([await page.inputValue('#name'), await page.inputValue('#email'), await page.inputValue('#password')]).toEqual(['Grace Mensah', 'grace@careers.example', '']);
    expect(await e2e.db.count('staff')).toBe(staff);
  });

  it('is for admins only: every other role is refused the pages and the forms', async () => {
    const diary = await createDiary(e2e.api);
    const staff = await e2e.db.count('staff');
    for (const [role, extra] of [['work_coach', {}], ['adviser', { adviserId: diary.adviserId }], ['site_manager', { managedSiteIds: [diary.siteId] }]] as const) {
      const page = await newPage();
      await signIn(page, await pages.newStaff(role, diary.organisationId, extra));
      await page.waitForURL(/\/app\/(book|day|sites)/);
      expect(await page.locator('a[href="/app/staff"]').count()).toBe(0);
      for (const path of ['/app/staff', '/app/staff/new']) expect((await page.goto(`${e2e.app.url}${path}`))?.status()).toBe(403);
      const token = await page.locator('input[name="_csrf"]').first().inputValue();
      const forged = await page.context().request.post(`${e2e.app.url}/app/staff/new`, {
        form: { _csrf: token, name: 'Mallory', email: `mallory.${uniq()}@x.example`, organisationId: diary.organisationId, role: 'admin', password: PASSWORD },
        maxRedirects: 0,
      });
      expect(forged.status()).toBe(403);
    }
    expect(await e2e.db.count('staff')).toBe(staff + 3);
  });
});
