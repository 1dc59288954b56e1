import { bookingSearch, searchQuery } from './search';

const TYPES = new Set(['CAREERS_GUIDANCE']);
const JOBCENTRE = '6f1e0c1e-4a57-4f6b-9d43-2f0b7c0f9a11';
const SITES = new Set([JOBCENTRE]);

describe('bookingSearch', () => {
  it('takes a known type and jobcentre, and gives them back as the query string of the page', () => {
    const checked = bookingSearch({ appointmentType: 'CAREERS_GUIDANCE', nearSiteId: JOBCENTRE }, TYPES, SITES);
    expect(checked).toEqual({ errors: [], search: { appointmentType: 'CAREERS_GUIDANCE', nearSiteId: JOBCENTRE } });
    expect(bookingSearch(Object.fromEntries(new URLSearchParams(searchQuery(checked.search!))), TYPES, SITES).search).toEqual(checked.search);
  });

  it.each([
    ['nothing chosen', {}, ['#appointmentType', '#nearSiteId']],
    ['an unknown type', { appointmentType: 'NOPE', nearSiteId: JOBCENTRE }, ['#appointmentType']],
    ['a site not in the list', { appointmentType: 'CAREERS_GUIDANCE', nearSiteId: '00000000-0000-0000-0000-000000000000' }, ['#nearSiteId']],
    ['two jobcentres', { appointmentType: 'CAREERS_GUIDANCE', nearSiteId: [JOBCENTRE, JOBCENTRE] }, ['#nearSiteId']],
    ['the jobcentre as a number', { appointmentType: 'CAREERS_GUIDANCE', nearSiteId: 7 }, ['#nearSiteId']],
  ])('refuses %s, pointing at the field', (_name, query, fields) => {
    const checked = bookingSearch(query as Record<string, unknown>, TYPES, SITES);
    expect(checked.search).toBeUndefined();
    expect(checked.errors.map((e) => e.href)).toEqual(fields);
  });
});
