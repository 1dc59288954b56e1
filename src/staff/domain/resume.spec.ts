import fc from 'fast-check';
import { keptFields, MAX_FIELDS, nextPath, resumeFor, returnPath } from './resume';

describe('a form kept across signing in again', () => {
  it('keeps strings and lists of strings, and never a password or the old CSRF token', () => {
    expect(keptFields({ _csrf: 't', name: 'Sam', password: 'secret', newPassword: 'x', siteId: ['a', 'b', 3], nested: { a: 1 }, n: 4 })).toEqual({ name: 'Sam', siteId: ['a', 'b'] });
    expect(keptFields(undefined)).toEqual({});
  });

  it('whatever is posted, keeps no field named like a password and at most MAX_FIELDS', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 20 }), fc.oneof(fc.string(), fc.array(fc.string()), fc.integer())), (body) => {
        const kept = keptFields(body);
        expect(Object.keys(kept).some((name) => /password/i.test(name) || name === '_csrf')).toBe(false);
        expect(Object.keys(kept).length).toBeLessThanOrEqual(MAX_FIELDS);
        for (const value of Object.values(kept)) expect(typeof value === 'string' || value.every((v) => typeof v === 'string')).toBe(true);
      }),
    );
  });

  it('goes back to the page of this service the form was on, and nowhere else', () => {
    const host = 'bookings.example:3000';
    expect(returnPath('http://bookings.example:3000/app/book/holds/1?x=1', host)).toBe('/app/book/holds/1?x=1');
    expect(returnPath('https://evil.example/app/book', host)).toBe('/app');
    expect(returnPath('http://bookings.example:3000/v1/bookings', host)).toBe('/app');
    expect(returnPath('http://bookings.example:3000/application', host)).toBe('/app');
    expect(returnPath('http://bookings.example:3000/app/sign-in', host)).toBe('/app');
    expect(returnPath('javascript:alert(1)', host)).toBe('/app');
    expect(returnPath(undefined, host)).toBe('/app');
    expect(returnPath('not a url', host)).toBe('/app');
  });

  it('goes on after signing in to the page asked for, a path of these pages and never another site', () => {
    expect(nextPath('/app/bookings?customer=Sam%20Jones')).toBe('/app/bookings?customer=Sam%20Jones');
    expect(nextPath('/app/sites/1/dna')).toBe('/app/sites/1/dna');
    for (const next of ['//evil.com', 'https://evil.com', 'https://evil.com/app/book', '//evil.com/app/book', '/\\evil.com', '/\t/evil.com', '/app/..//evil.com', '/app/../v1/bookings',
      'javascript:alert(1)', '/application', '/app', '/app/sign-in', 'app/book', '', undefined, ['/app/book']]) {
      expect([next, nextPath(next)]).toEqual([next, null]);
    }
  });

  it('whatever next is given, goes to nowhere but one of the pages of this origin', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl(), fc.webPath(), fc.string().map((s) => `/app/${s}`), fc.string().map((s) => `/${s}`)), (next) => {
        const path = nextPath(next);
        if (path === null) return;
        expect(path.startsWith('/app/')).toBe(true);
        expect(new URL(path, 'https://bookings.example').origin).toBe('https://bookings.example');
        expect(nextPath(path)).toBe(path);
      }),
    );
  });

  it("puts a form back only for the person whose session it was", () => {
    const resume = { staffId: 's1', returnTo: '/app/book', fields: { name: 'Sam' } };
    expect(resumeFor(resume, 's1')).toBe(resume);
    expect(resumeFor(resume, 's2')).toBeNull();
    expect(resumeFor(null, 's1')).toBeNull();
  });
});
