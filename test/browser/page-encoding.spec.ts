import type { Page, Response } from 'playwright-core';
import { useTestApp } from '../support/app';
import { createOrganisation } from '../support/fixtures';
import { expectPage, PASSWORD, useBrowser } from './browser';

// A site of somebody else's, served by the browser's own interception: no server needed.
const ELSEWHERE = 'http://elsewhere.example';

describe('pages: compressed for the browser’s own navigations, not for another site’s links', () => {
  const e2e = useTestApp();
  const pages = useBrowser(e2e);
  const { newPage, signIn } = pages;

  /** The response of the page `action` navigates to, after any redirects. */
  const navigated = async (page: Page, action: () => Promise<unknown>): Promise<Response> => {
    const response = page.waitForResponse((r) => r.request().isNavigationRequest() && r.url().startsWith(e2e.app.url) && (r.status() < 300 || r.status() >= 400));
    await action();
    return response;
  };

  it('compresses a page typed in or linked from the service, and sends it as it is when another site links to it', async () => {
    const page = await newPage();
    await page.route(`${ELSEWHERE}/**`, (route) => route.fulfill({ contentType: 'text/html', body: `<!DOCTYPE html><title>Elsewhere</title><a href="${e2e.app.url}/app/sign-in">Careers booking</a>` }));

    const typed = await navigated(page, () => page.goto(`${e2e.app.url}/app/sign-in`));
    // Chromium sends Sec-Fetch-Site (none, same-origin, cross-site) itself: playwright does not show it, the answers do.
    expect(await typed.headerValue('content-encoding')).toMatch(/^(gzip|br)$/);
    await expectPage(page, 'Sign in');
    const typedToken = await page.locator('input[name="_csrf"]').inputValue();

    const linked = await navigated(page, () => page.click('.govuk-service-navigation__service-name a'));
    expect(await linked.headerValue('content-encoding')).toMatch(/^(gzip|br)$/);
    await expectPage(page, 'Sign in');
    // The same session, another page: another token.
    expect(await page.locator('input[name="_csrf"]').inputValue()).not.toBe(typedToken);

    await page.goto(ELSEWHERE);
    const fromElsewhere = await navigated(page, () => page.click('a'));
    expect(await fromElsewhere.headerValue('content-encoding')).toBeNull();
    await expectPage(page, 'Sign in');
  });

  it('after a page is asked for on an ended session, signing in goes on to that page', async () => {
    const organisation = await createOrganisation(e2e.api, 'jobcentre');
    const email = await pages.newStaff('work_coach', organisation.id);
    const page = await newPage();
    await signIn(page, email);
    await page.waitForURL('**/app/book');
    await e2e.db.query("UPDATE staff_sessions SET last_seen_at = last_seen_at - interval '2 hours' WHERE staff_id = (SELECT id FROM staff WHERE email = $1)", [email]);

    await page.goto(`${e2e.app.url}/app/bookings?customer=Sam`);
    await page.waitForURL('**/app/sign-in?next=*');
    await expectPage(page, 'Sign in');
    await page.fill('#email', email);
    await page.fill('#password', PASSWORD);
    await page.click('button:has-text("Sign in")');
    await page.waitForURL('**/app/bookings?customer=Sam');
    await expectPage(page, "Find a customer's appointments");
  });
});
