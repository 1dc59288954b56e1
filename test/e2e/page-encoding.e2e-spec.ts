import { createHash } from 'node:crypto';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { useTestApp } from '../support/app';
import { createOrganisation, uniq } from '../support/fixtures';

const PASSWORD = 'plum anchor tidal lantern';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as sent, compressed or not. */
  wire: Buffer;
}

/** node:http, which (unlike fetch) leaves the body as it came and sends only the headers given. */
function send(url: string, options: { method?: 'GET' | 'POST'; headers?: Record<string, string>; form?: Record<string, string> } = {}): Promise<Raw> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers = { ...options.headers, ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) } : {}) };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, wire: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const decoded = (raw: Raw): string => {
  const encoding = raw.headers['content-encoding'];
  return (encoding === 'gzip' ? gunzipSync(raw.wire) : encoding === 'br' ? brotliDecompressSync(raw.wire) : raw.wire).toString('utf8');
};
const cookieOf = (raw: Raw): string | undefined => raw.headers['set-cookie']?.map((c) => c.split(';')[0]).find((c) => c.startsWith('cb_session='));
const tokenOf = (html: string): string => /name="_csrf" value="([^"]+)"/.exec(html)![1];
const h1Of = (html: string): string | undefined => /<h1[^>]*>\s*([^<]*?)\s*<\/h1>/.exec(html)?.[1];

describe('pages: compressed only for requests from the service itself, with a CSRF token masked afresh on each', () => {
  const e2e = useTestApp();
  let email: string;

  beforeAll(async () => {
    const organisation = await createOrganisation(e2e.api, 'jobcentre');
    email = `work.coach.${uniq().toLowerCase()}@careers.example`;
    await e2e.api.create('/v1/staff', { name: 'Jo Okafor', email, organisationId: organisation.id, role: 'work_coach', password: PASSWORD });
  });

  const url = (path: string) => `${e2e.app.url}${path}`;
  const signedIn = async (): Promise<string> => {
    const form = await send(url('/app/sign-in'));
    const cookie = cookieOf(form)!;
    const answer = await send(url('/app/sign-in'), { method: 'POST', headers: { cookie }, form: { _csrf: tokenOf(decoded(form)), email, password: PASSWORD } });
    expect([answer.status, answer.headers.location]).toEqual([303, '/app/book']);
    return cookieOf(answer)!;
  };

  it('compresses a page asked for from its own pages or by the person (typed), and it decodes to the page', async () => {
    const cookie = await signedIn();
    for (const [site, acceptEncoding, encoding] of [
      ['same-origin', 'gzip, deflate', 'gzip'],
      ['same-origin', 'br', 'br'],
      ['none', 'gzip', 'gzip'],
    ]) {
      const page = await send(url('/app/book'), { headers: { cookie, 'sec-fetch-site': site, 'accept-encoding': acceptEncoding } });
      expect([page.status, page.headers['content-encoding'], page.headers['content-type']]).toEqual([200, encoding, 'text/html; charset=utf-8']);
      expect(page.headers.vary).toMatch(/Accept-Encoding.*Sec-Fetch-Site/);
      const html = decoded(page);
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toMatch(/<\/html>\s*$/);
      expect(h1Of(html)).toBe('Book an appointment');
      expect(page.wire.length).toBeLessThan(Buffer.byteLength(html) / 3);
    }
  });

  it("sends a page uncompressed when another site, or a browser that cannot tell, asked for it; the API's JSON is never compressed", async () => {
    const cookie = await signedIn();
    for (const site of ['cross-site', 'same-site', undefined]) {
      const page = await send(url('/app/book'), { headers: { cookie, 'accept-encoding': 'gzip, br', ...(site ? { 'sec-fetch-site': site } : {}) } });
      expect([page.status, page.headers['content-encoding']]).toEqual([200, undefined]);
      expect(page.headers.vary).toMatch(/Accept-Encoding.*Sec-Fetch-Site/);
      expect(h1Of(page.wire.toString('utf8'))).toBe('Book an appointment');
    }
    // Nor when the browser asks for no encoding.
    expect((await send(url('/app/book'), { headers: { cookie, 'sec-fetch-site': 'same-origin' } })).headers['content-encoding']).toBeUndefined();
    const api = await send(url('/health'), { headers: { 'sec-fetch-site': 'same-origin', 'accept-encoding': 'gzip, br' } });
    expect(api.headers['content-encoding']).toBeUndefined();
  });

  it('writes the session’s secret into no page; two pages carry different tokens, both accepted; a tampered one is refused', async () => {
    const first = await send(url('/app/sign-in'), { headers: { 'sec-fetch-site': 'none', 'accept-encoding': 'gzip' } });
    const cookie = cookieOf(first)!;
    const second = await send(url('/app/sign-in'), { headers: { cookie, 'sec-fetch-site': 'same-origin', 'accept-encoding': 'gzip' } });
    const [secret] = await e2e.db.query('SELECT csrf_token FROM staff_sessions WHERE id_hash = $1', [createHash('sha256').update(cookie.slice('cb_session='.length)).digest()]);
    const tokens = [tokenOf(decoded(first)), tokenOf(decoded(second))];
    expect(tokens[0]).not.toBe(tokens[1]);
    for (const page of [first, second]) expect(decoded(page)).not.toContain(secret.csrf_token);

    // Both post (an empty form: its own errors, nothing refused).
    for (const _csrf of tokens) {
      const answer = await send(url('/app/sign-in'), { method: 'POST', headers: { cookie }, form: { _csrf, email: '', password: '' } });
      expect([answer.status, answer.headers.location]).toEqual([303, '/app/sign-in']);
    }
    const flipped = tokens[1][10] === 'A' ? 'B' : 'A';
    for (const _csrf of [`${tokens[1].slice(0, 10)}${flipped}${tokens[1].slice(11)}`, tokens[1].slice(1), `${tokens[1]}A`, secret.csrf_token, '%%%']) {
      const refused = await send(url('/app/sign-in'), { method: 'POST', headers: { cookie }, form: { _csrf, email, password: PASSWORD } });
      expect([refused.status, h1Of(refused.wire.toString('utf8'))]).toEqual([403, 'This form has expired']);
    }
    const answer = await send(url('/app/sign-in'), { method: 'POST', headers: { cookie }, form: { _csrf: tokens[0], email, password: PASSWORD } });
    expect([answer.status, answer.headers.location]).toEqual([303, '/app/book']);
  });

  describe('signing in after a plain GET', () => {
    const asked = '/app/bookings?customer=Sam';
    const signInFrom = async (location: string, next?: string) => {
      const form = await send(url(location));
      const html = decoded(form);
      const kept = /name="next" value="([^"]*)"/.exec(html)?.[1];
      return send(url('/app/sign-in'), { method: 'POST', headers: { cookie: cookieOf(form)! }, form: { _csrf: tokenOf(html), email, password: PASSWORD, ...((next ?? kept) ? { next: next ?? kept! } : {}) } });
    };

    it('goes on to the page that was asked for, after the session ended or with none', async () => {
      const cookie = await signedIn();
      await e2e.db.query("UPDATE staff_sessions SET last_seen_at = last_seen_at - interval '2 hours' WHERE id_hash = $1", [createHash('sha256').update(cookie.slice('cb_session='.length)).digest()]);
      for (const headers of [{ cookie }, {}] as Record<string, string>[]) {
        const bounced = await send(url(asked), { headers });
        expect([bounced.status, bounced.headers.location]).toEqual([303, `/app/sign-in?next=${encodeURIComponent(asked)}`]);
        const answer = await signInFrom(bounced.headers.location!);
        expect([answer.status, answer.headers.location]).toEqual([303, asked]);
      }
    });

    it('keeps where to go through a wrong password', async () => {
      const form = await send(url(`/app/sign-in?next=${encodeURIComponent(asked)}`));
      const answer = await send(url('/app/sign-in'), { method: 'POST', headers: { cookie: cookieOf(form)! }, form: { _csrf: tokenOf(decoded(form)), email, password: 'not the password', next: asked } });
      expect([answer.status, answer.headers.location]).toEqual([303, `/app/sign-in?next=${encodeURIComponent(asked)}`]);
    });

    it('never goes to another site, whatever next says', async () => {
      for (const next of ['//evil.com', 'https://evil.com', '/\\evil.com', '/app/..//evil.com']) {
        const form = await send(url(`/app/sign-in?next=${encodeURIComponent(next)}`));
        expect(decoded(form)).not.toContain('name="next"');
        const answer = await signInFrom('/app/sign-in', next);
        expect([next, answer.status, answer.headers.location]).toEqual([next, 303, '/app/book']);
      }
    });
  });
});
