import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postWebhook, Resolver } from './safe-post';

// A real HTTP server on loopback stands in for the receiver; a resolver handed to postWebhook
// stands in for DNS, so a name can resolve to whatever the test needs, as a hostile DNS would.
describe('postWebhook', () => {
  let server: Server;
  let port: number;
  let handler: (req: IncomingMessage, res: ServerResponse) => void;
  const seen: { url: string; host: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url!, host: req.headers.host, body });
        handler(req, res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
    handler = (_, res) => res.writeHead(204).end();
  });

  const to = (addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const post = (url: string, resolve: Resolver, allowLoopback = true, timeoutMs = 2000) => postWebhook(url, { 'webhook-id': 'msg_1' }, '{"a":1}', { timeoutMs, allowLoopback, resolve });

  it('connects to the address it checked, not to whatever the name resolves to later', async () => {
    let calls = 0;
    // A rebinding DNS: a harmless answer first, then another. Only one lookup is made, and the connection goes where it said.
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.0.0.5', family: 4 }];
    const outcome = await post(`http://hooks.partner.example:${port}/in`, rebinding);
    expect(outcome).toMatchObject({ ok: true, statusCode: 204, error: null });
    expect(calls).toBe(1);
    expect(seen).toEqual([{ url: '/in', host: `hooks.partner.example:${port}`, body: '{"a":1}' }]);
  });

  it.each([
    ['a private address', ['10.0.0.5']],
    ['the cloud metadata address', ['169.254.169.254']],
    ['a CGNAT address', ['100.64.1.1']],
    ['an IPv4-mapped loopback', ['::ffff:127.0.0.1']],
    ['a unique-local IPv6 address', ['fd00::1']],
    ['a public and a private address', ['93.184.215.14', '192.168.1.10']],
  ])('refuses a name that resolves to %s, without connecting', async (_, addresses) => {
    const outcome = await post(`http://hooks.partner.example:${port}/in`, to(addresses), false);
    expect(outcome).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/^ADDRESS_NOT_ALLOWED: /) });
    expect(seen).toEqual([]);
  });

  it('refuses loopback unless allowed (tests only)', async () => {
    expect((await post(`http://127.0.0.1:${port}/in`, to([]), false)).error).toMatch(/^ADDRESS_NOT_ALLOWED/);
    expect((await post(`http://localhost:${port}/in`, to(['127.0.0.1']), false)).error).toMatch(/^ADDRESS_NOT_ALLOWED/);
    expect(seen).toEqual([]);
  });

  it('gives up on a receiver that does not answer, within the timeout', async () => {
    handler = () => undefined;
    const outcome = await post(`http://127.0.0.1:${port}/hang`, to([]), true, 300);
    expect(outcome).toMatchObject({ ok: false, statusCode: null, error: 'TIMEOUT: no answer within 300 ms' });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(290);
    expect(outcome.durationMs).toBeLessThan(2000);
  });

  it('does not follow a redirect', async () => {
    handler = (req, res) => (req.url === '/moved' ? res.writeHead(302, { Location: `http://127.0.0.1:${port}/elsewhere` }).end() : res.writeHead(204).end());
    const outcome = await post(`http://127.0.0.1:${port}/moved`, to([]));
    expect(outcome).toMatchObject({ ok: false, statusCode: 302, error: `REDIRECT_NOT_FOLLOWED: http://127.0.0.1:${port}/elsewhere` });
    expect(seen.map((s) => s.url)).toEqual(['/moved']);
  });

  it('reads no more of an endless answer than a few kilobytes', async () => {
    handler = (_, res) => {
      res.writeHead(200);
      const chunk = 'x'.repeat(1024);
      const pump = () => {
        while (res.write(chunk));
        res.once('drain', pump);
      };
      pump();
    };
    const outcome = await post(`http://127.0.0.1:${port}/endless`, to([]), true, 5000);
    expect(outcome).toMatchObject({ ok: true, statusCode: 200 });
    expect(outcome.durationMs).toBeLessThan(2000);
  });

  it("passes on the receiver's Retry-After and failure status", async () => {
    handler = (_, res) => res.writeHead(503, { 'Retry-After': '120' }).end('busy');
    expect(await post(`http://127.0.0.1:${port}/busy`, to([]))).toMatchObject({ ok: false, statusCode: 503, error: null, retryAfterMs: 120_000 });
  });

  it('says when a name does not resolve or nothing listens', async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect((await post('https://nowhere.invalid/', failing)).error).toMatch(/^DNS_FAILED: /);
    const closed = createServer().listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await post(`http://127.0.0.1:${closedPort}/`, to([]))).error).toBe('CONNECTION_FAILED: ECONNREFUSED');
  });
});
