import { ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { BUILD_DIR } from './paths';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdef0123';

/** The application in a child process (bench/server.ts), and a small RPC to it over IPC. */
export class ServerHandle {
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
    readonly pool: number,
  ) {
    child.on('message', (msg: { id?: number; result?: unknown; error?: string }) => {
      if (msg.id === undefined) return;
      const w = this.waiting.get(msg.id);
      this.waiting.delete(msg.id);
      if (msg.error) w?.reject(new Error(msg.error));
      else w?.resolve(msg.result);
    });
  }

  static async start(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerHandle> {
    const child = fork(join(BUILD_DIR, 'bench', 'server.js'), [], {
      // Queue keys of the run's own, which the server removes when it closes.
      env: { ...process.env, DATABASE_URL: databaseUrl, ADMIN_API_KEY: ADMIN_KEY, QUEUE_PREFIX: `bench-${process.pid}-${Date.now()}`, ...env },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await new Promise<{ port: number; pool: number }>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`bench server exited with ${code} before it was ready`)));
      child.on('message', (msg: { ready?: boolean; port: number; pool: number }) => msg.ready && resolve(msg));
    });
    child.removeAllListeners('exit');
    return new ServerHandle(child, `http://127.0.0.1:${ready.port}`, ready.pool);
  }

  call<T = unknown>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, ...args });
    });
  }

  /** CPU seconds (user + system) the server process has used so far. */
  async cpuSeconds(): Promise<number> {
    const { user, system } = await this.call<{ user: number; system: number }>('cpu');
    return (user + system) / 1e6;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.call('close').catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
