import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { Api } from '../support/api';
import { freePort } from '../support/app';
import { asEnv, createTestConfig } from '../support/database';
import { bookingBody, createDiary, slotRef } from '../support/fixtures';

// `npm start` with WEB_CONCURRENCY=2: src/main.ts in a child process, whose cluster primary
// forks two HTTP workers sharing one port and deals the connections out between them
// round-robin, so simultaneous requests on fresh connections land on both. Whichever process
// takes a request, the last seat goes to exactly one of them.

const ROOT = join(__dirname, '..', '..');
const N = 24;

describe('two HTTP processes on one port (WEB_CONCURRENCY=2, e2e)', () => {
  let child: ChildProcess;
  let output = '';
  let api: Api;
  let drop: () => Promise<void>;

  /** The pids of the workers that have said they listen, in order. */
  const listening = () => [...output.matchAll(/HTTP worker (\d+) listening/g)].map((m) => Number(m[1]));

  async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (child.exitCode !== null) throw new Error(`the cluster exited (${child.exitCode}) waiting for ${what}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  beforeAll(async () => {
    const port = await freePort();
    const made = await createTestConfig({ PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` });
    drop = made.drop;
    child = spawn(process.execPath, ['-r', './test/support/ts-register.js', 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...asEnv(made.config), WEB_CONCURRENCY: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    await until('two HTTP workers', () => listening().length === 2, 120_000);
    api = new Api(`http://127.0.0.1:${port}`);
  }, 150_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await drop?.();
  });

  /** N simultaneous bookings of one seat, each on a connection of its own: one wins. */
  async function race(diary: Awaited<ReturnType<typeof createDiary>>, start: string, tag: string) {
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => api.request('POST', '/v1/bookings', bookingBody(diary, start, `${tag}-${i}`), { Connection: 'close' })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(N - 1).fill('SLOT_FULL'));
  }

  it('the last seat goes to exactly one of many simultaneous bookings and holds; a worker that dies is replaced; SIGTERM stops them all', async () => {
    const [first, second] = listening();
    expect(first).not.toBe(second);
    const diary = await createDiary(api);
    await race(diary, '2027-06-07T09:00:00+01:00', 'ONE');

    const holds = await Promise.all(Array.from({ length: N }, () => api.request('POST', '/v1/holds', slotRef(diary, '2027-06-07T10:00:00+01:00'), { Connection: 'close' })));
    expect(holds.filter((h) => h.status === 201)).toHaveLength(1);

    // One worker killed outright: the other goes on serving, and the primary starts a third.
    process.kill(first, 'SIGKILL');
    await until('a replacement worker', () => listening().length === 3);
    expect(output).toContain(`HTTP worker ${first} exited (SIGKILL)`);
    await race(diary, '2027-06-08T09:00:00+01:00', 'TWO');
    const sheet = await api.get(`/v1/bookings?siteId=${diary.siteId}&date=2027-06-08`);
    expect(sheet.body.bookings).toHaveLength(1);

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(output).toContain('All HTTP workers stopped');
    for (const pid of listening()) expect(() => process.kill(pid, 0)).toThrow();
  });
});
