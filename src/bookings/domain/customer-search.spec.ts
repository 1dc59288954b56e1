import fc from 'fast-check';
import { customerSearch, likeLiteral, MAX_TYPED } from './customer-search';

// LIKE as PostgreSQL reads a pattern with a backslash escape, for checking the escaping here.
function likeMatches(pattern: string, text: string): boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') source += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`).test(text);
}

const mobileOf = (typed: string) => (typed.replace(/\s/g, '') === '07911123456' ? '+447911123456' : null);

describe('customerSearch', () => {
  it('reads a reference, a mobile number or part of a name', () => {
    expect(customerSearch('  JCP-4471 ', mobileOf)).toEqual({ reference: 'JCP-4471', mobile: null, namePattern: '%JCP-4471%' });
    expect(customerSearch('07911 123456', mobileOf)).toMatchObject({ mobile: '+447911123456' });
    expect(customerSearch('Sam   Taylor', mobileOf)).toEqual({ reference: 'Sam Taylor', mobile: null, namePattern: '%Sam Taylor%' });
  });

  it('refuses what is too short to find one customer, or too long to be one', () => {
    expect(customerSearch(' a ', mobileOf)).toBeNull();
    expect(customerSearch('x'.repeat(MAX_TYPED + 1), mobileOf)).toBeNull();
  });

  it('takes % and _ literally: the pattern matches a name containing what was typed, and no other', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 8 }), fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), (typed, before, after) => {
        const text = typed.trim().replace(/\s+/g, ' ');
        fc.pre(text.length >= 2);
        const { namePattern } = customerSearch(typed, () => null)!;
        expect(likeMatches(namePattern, `${before}${text}${after}`)).toBe(true);
        expect(likeMatches(`%${likeLiteral(text)}%`, `${before}${after}`)).toBe(`${before}${after}`.includes(text));
      }),
    );
    expect(likeMatches(customerSearch('50%_', () => null)!.namePattern, 'a 50x1 b')).toBe(false);
  });
});
