import { useTestApp } from '../support/app';
import { SteppedClock } from '../support/clock';
import { bookingBody, BuiltDiary, createDiary, createOrganisation, partnerKey } from '../support/fixtures';
import { expectPage, screenshot, tabTo, useBrowser } from './browser';

// Monday 4 January 2027, 10:30 in London: the 9am and 10am appointments have started, the 2pm one has not.
const MID_MORNING = Date.parse('2027-01-04T10:30:00Z');

describe("pages: an adviser runs the day", () => {
  const clock = new SteppedClock();
  const e2e = useTestApp({}, { clock });
  const { newContext, newStaff, signIn } = useBrowser(e2e);
  let diary: BuiltDiary;
  const booked: Record<string, string> = {};
  const outcomes = async () =>
    Object.fromEntries((await e2e.db.query('SELECT id, outcome FROM bookings WHERE id = ANY ($1)', [Object.values(booked)])).map((r: { id: string; outcome: string | null }) => [r.id, r.outcome]));

  beforeAll(async () => {
    diary = await createDiary(e2e.api);
    const partner = await partnerKey(e2e.api);
    for (const [time, reference] of [['09:00', 'JCP-0900'], ['10:00', 'JCP-1000'], ['14:00', 'JCP-1400']]) {
      const response = await e2e.api.as(partner.key).post('/v1/bookings', bookingBody(diary, `2027-01-04T${time}:00Z`, reference));
      expect(response.status).toBe(201);
      booked[time] = response.body.id;
    }
    clock.set(MID_MORNING);
  });

  it("shows today's sessions with show probabilities and reminders, and records outcomes with the keyboard", async () => {
    const page = await (await newContext()).newPage();
    await signIn(page, await newStaff('adviser', diary.organisationId, { adviserId: diary.adviserId }));
    await page.waitForURL('**/app/day');
    await expectPage(page, 'Today');
    const row = (time: string) => page.locator(`#booking-${booked[time]}`);
    await expect(row('09:00').innerText()).resolves.toMatch(/9am\s+Sam Taylor \(JCP-0900\)\s+\d+%/);
    await expect(row('09:00').locator('.govuk-tag').first().innerText()).resolves.toMatch(/^(Sent|Due|Not sent yet|Not delivered)/);
    await expect(row('14:00').innerText()).resolves.toContain('Not started yet');
    expect(await row('14:00').locator('button').count()).toBe(0);
    await screenshot(page, 'day');

    const press = async (time: string, outcome: string, notice: string) => {
      await tabTo(page, `#booking-${booked[time]} button[data-outcome="${outcome}"]`);
      await page.keyboard.press('Enter');
      await page.locator('.govuk-notification-banner', { hasText: notice }).waitFor();
      await expectPage(page, 'Today');
    };
    await press('09:00', 'attended', 'Attended recorded.');
    await press('10:00', 'dna', 'Did not attend recorded.');
    // A correction is the same press: the booking's history keeps both.
    await press('09:00', 'late', 'Late recorded (was attended).');
    await expect(row('09:00').innerText()).resolves.toContain('Change to Attended');
    expect(await outcomes()).toEqual({ [booked['09:00']]: 'late', [booked['10:00']]: 'dna', [booked['14:00']]: null });
    const [{ kinds }] = await e2e.db.query("SELECT array_agg(kind ORDER BY id) AS kinds FROM booking_events WHERE booking_id = $1 AND kind LIKE 'outcome%'", [booked['09:00']]);
    expect(kinds).toEqual(['outcome_recorded', 'outcome_corrected']);

    await page.click('#week-link');
    await expectPage(page, 'Week beginning 4 January 2027');
    await expect(page.locator('main').innerText()).resolves.toContain('9am to 10am');
    await screenshot(page, 'week');
  });

  it('refuses an outcome before the appointment, or one it does not know, saying so and changing nothing', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, await newStaff('adviser', diary.organisationId, { adviserId: diary.adviserId }));
    await page.waitForURL('**/app/day');
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const before = await outcomes();
    for (const [time, outcome, message] of [['14:00', 'attended', 'The appointment has not started yet'], ['10:00', 'cancelled', 'Choose attended, late, DNA or left unseen']]) {
      const response = await context.request.post(`${e2e.app.url}/app/day/bookings/${booked[time]}/outcome`, { form: { _csrf: token, outcome, date: '2027-01-04' }, maxRedirects: 0 });
      expect(response.status()).toBe(303);
      // Without the fragment, which would keep the page rather than load it again.
      await page.goto(`${e2e.app.url}${response.headers().location.split('#')[0]}`);
      await expectPage(page, 'Today');
      await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain(message);
    }
    expect(await outcomes()).toEqual(before);
  });

  it("lets nobody else record outcomes: another provider's adviser, a work coach, an adviser not yet linked", async () => {
    const other = await createDiary(e2e.api);
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, await newStaff('adviser', other.organisationId, { adviserId: other.adviserId }));
    await page.waitForURL('**/app/day');
    await expectPage(page, 'Today');
    await expect(page.locator('main').innerText()).resolves.toContain('You have no sessions on this day.');
    const token = await page.locator('input[name="_csrf"]').first().inputValue();
    const before = await outcomes();
    const theirs = await context.request.post(`${e2e.app.url}/app/day/bookings/${booked['09:00']}/outcome`, { form: { _csrf: token, outcome: 'dna', date: '2027-01-04' }, maxRedirects: 0 });
    expect(theirs.status()).toBe(404);
    expect(await outcomes()).toEqual(before);

    const coach = await (await newContext()).newPage();
    await signIn(coach, await newStaff('work_coach', (await createOrganisation(e2e.api, 'jobcentre')).id));
    await coach.waitForURL('**/app/book');
    expect((await coach.goto(`${e2e.app.url}/app/day`))?.status()).toBe(403);
    await expectPage(coach, 'There is a problem');

    const unlinked = await (await newContext()).newPage();
    await signIn(unlinked, await newStaff('adviser', diary.organisationId));
    await unlinked.waitForURL('**/app/day');
    await expectPage(unlinked, 'There is a problem');
    await expect(unlinked.locator('main').innerText()).resolves.toContain('not linked to an adviser');
    expect((await unlinked.goto(`${e2e.app.url}/app/book`))?.status()).toBe(403);
  });
});
