import { spawn } from 'node:child_process';
import { databaseUrl, recreateDatabase } from './db';

export function run(cmd: string, args: string[], options: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const connection = (url: string) => {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres'];
};

/** A fresh database initialised for pgbench's select-only script (scale 10, 1M accounts). */
export async function preparePgbenchSelect(name: string): Promise<void> {
  await recreateDatabase(name);
  const init = await run('pgbench', ['-i', '-q', '-s', '10', ...connection(databaseUrl(name)), name]);
  if (init.code !== 0) throw new Error(`pgbench -i failed: ${init.stderr.slice(0, 500)}`);
}

/**
 * pgbench's built-in select-only transaction (one primary-key lookup), 1 client, for
 * `seconds`: how quick the machine is at this moment, in transactions per second.
 */
export async function pgbenchSelect(name: string, seconds = 5): Promise<number> {
  const res = await run('pgbench', ['-n', '-S', '-M', 'prepared', '-c', '1', '-j', '1', '-T', String(seconds), ...connection(databaseUrl(name)), name]);
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(res.stdout)?.[1] ?? NaN);
  if (!Number.isFinite(tps)) throw new Error(`pgbench -S failed: ${res.stderr.slice(0, 500)}`);
  return tps;
}
