import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { freePort } from '../support/app';
import { until } from '../support/wait';

// `npm run demo` stopped with Ctrl+C closes what it started once each and exits cleanly.
// It runs embedded here (nothing listens at the addresses it is given, so it starts PGlite
// and puts the queues on PostgreSQL), which shares nothing with other tests.

const ROOT = join(__dirname, '..', '..');

describe('the demo', () => {
  it('stops on SIGINT with exit code 0 and nothing logged as an error', async () => {
    const nobody = await freePort();
    const child = spawn(process.execPath, ['-r', './test/support/ts-register.js', 'src/cli/demo.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        PORT: String(await freePort()),
        DATABASE_URL: `postgres://postgres@127.0.0.1:${nobody}/demo`,
        REDIS_URL: `redis://127.0.0.1:${nobody}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk));
    const exited = once(child, 'exit');
    try {
      await until('the demo to be ready, or to exit', async () => output.includes('Press Ctrl+C to stop.') || child.exitCode !== null, 150_000);
      expect(child.exitCode).toBeNull();
      child.kill('SIGINT');
      const [code, signal] = await exited;
      expect(output.split('\n').filter((line) => /\bERROR\b/.test(line))).toEqual([]);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }, 200_000);
});
