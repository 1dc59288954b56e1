import { ADMIN, partnerPrincipal, serviceBooking, serviceDiary, useTestContext } from '../support/context';
import { BuiltDiary } from '../support/fixtures';

// BookingsService.findForCustomer against real PostgreSQL: what a work coach types finds the
// customer by reference, mobile or name, only in their own organisation, from a month back on.

describe('BookingsService.findForCustomer (integration)', () => {
  const ctx = useTestContext();
  let diary: BuiltDiary;
  let mine: ReturnType<typeof partnerPrincipal>;
  let theirs: ReturnType<typeof partnerPrincipal>;
  const ids: Record<string, string> = {};

  const book = async (principal: ReturnType<typeof partnerPrincipal>, start: string, customer: { reference: string; name: string; mobile: string }) => {
    const body = serviceBooking(diary, start);
    return (await ctx.bookings.book(principal, { ...body, customer: { ...body.customer, ...customer } })).booking.id;
  };

  beforeAll(async () => {
    diary = await serviceDiary(ctx);
    mine = partnerPrincipal((await ctx.partners.createOrganisation({ name: 'Lewisham JCP', kind: 'jobcentre' })).id);
    theirs = partnerPrincipal((await ctx.partners.createOrganisation({ name: 'Bradford JCP', kind: 'jobcentre' })).id);
    const zoe = { reference: 'JCP-4471', name: "Zoë O'Brien", mobile: '07911 123456' };
    ids.later = await book(mine, '2027-01-06T09:00:00Z', zoe);
    ids.earlier = await book(mine, '2027-01-04T09:00:00Z', zoe);
    ids.sam = await book(mine, '2027-01-04T10:00:00Z', { reference: 'JCP-9', name: 'Sam 50%_Taylor', mobile: '07911 123457' });
    // The same reference and name in another organisation: another customer.
    ids.theirs = await book(theirs, '2027-01-05T09:00:00Z', zoe);
  });

  const found = async (typed: string, principal = mine, now?: number) => (await ctx.bookings.findForCustomer(principal, typed, now)).map((b) => b.id);

  it('finds by reference whatever its case, by mobile however written, and by part of the name, earliest first', async () => {
    expect(await found('jcp-4471')).toEqual([ids.earlier, ids.later]);
    expect(await found('+44 7911 123456')).toEqual([ids.earlier, ids.later]);
    expect(await found("  o'brien ")).toEqual([ids.earlier, ids.later]);
    expect(await found('zoë')).toEqual([ids.earlier, ids.later]);
    expect(await found('JCP-9')).toEqual([ids.sam]);
    expect(await found('JCP')).toEqual([]);
  });

  it('takes % and _ as themselves, not as wildcards', async () => {
    expect(await found('50%_')).toEqual([ids.sam]);
    expect(await found('%%')).toEqual([]);
    expect(await found('__')).toEqual([]);
  });

  it("finds only the caller's organisation's bookings; an admin finds everyone's", async () => {
    expect(await found('JCP-4471', theirs)).toEqual([ids.theirs]);
    expect(await found('Sam', theirs)).toEqual([]);
    expect((await found('JCP-4471', ADMIN)).sort()).toEqual([ids.earlier, ids.later, ids.theirs].sort());
  });

  it('leaves out bookings that started more than a month ago, cancelled ones included otherwise', async () => {
    await ctx.bookings.cancel(mine, ids.later, { by: 'customer', reason: 'Started a job' });
    const bookings = await ctx.bookings.findForCustomer(mine, 'JCP-4471');
    expect(bookings.map((b) => [b.id, b.status])).toEqual([[ids.earlier, 'booked'], [ids.later, 'cancelled']]);
    expect(await found('JCP-4471', mine, Date.parse('2027-02-05T10:00:00Z'))).toEqual([ids.later]);
  });

  it('refuses what is too short to find anyone', async () => {
    await expect(ctx.bookings.findForCustomer(mine, ' a ')).rejects.toMatchObject({ status: 400, code: 'INVALID_FILTER' });
  });
});
