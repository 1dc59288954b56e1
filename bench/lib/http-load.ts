import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { summarise, Summary } from './stats';

export interface Request {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  /** Sent as application/x-www-form-urlencoded instead of a JSON body, as Twilio posts its webhooks. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface Response {
  status: number;
  body: string;
  ms: number;
}

/** HTTP/1.1 over loopback with keep-alive: one socket per concurrent client, as a partner's connection pool would. */
export class HttpClient {
  private agent: http.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    private readonly key: string,
    sockets = 64,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });
  }

  /**
   * Fresh connections. The server drops keep-alive sockets idle for 5 s; a request sent on
   * one just as it is dropped fails with ECONNRESET, so phases that follow a pause (e.g.
   * while pgbench runs) start on new sockets.
   */
  resetConnections() {
    const { maxSockets } = this.agent;
    this.agent.destroy();
    this.agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  async send(req: Request): Promise<Response> {
    try {
      return await this.sendOnce(req);
    } catch (error) {
      // Only a GET is repeated, and only when a reused socket was closed under it.
      if (req.method === 'GET' && (error as { reusedSocket?: boolean }).reusedSocket) return this.sendOnce(req);
      throw error;
    }
  }

  private sendOnce(req: Request): Promise<Response> {
    const payload = req.form ? new URLSearchParams(req.form).toString() : req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string | number> = { authorization: `Bearer ${this.key}`, ...req.headers };
    if (payload !== undefined) {
      headers['content-type'] = req.form ? 'application/x-www-form-urlencoded' : 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    return new Promise((resolve, reject) => {
      const t0 = performance.now();
      const r = http.request({ host: this.host, port: this.port, method: req.method, path: req.path, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0 }));
        res.on('error', reject);
      });
      r.on('error', (error) => reject(Object.assign(error, { reusedSocket: r.reusedSocket })));
      if (payload !== undefined) r.write(payload);
      r.end();
    });
  }

  async json<T = unknown>(req: Request): Promise<{ status: number; body: T }> {
    const res = await this.send(req);
    return { status: res.status, body: res.body ? (JSON.parse(res.body) as T) : (undefined as T) };
  }

  close() {
    this.agent.destroy();
  }
}

export interface LoadRun {
  concurrency: number;
  wallMs: number;
  requests: number;
  throughput: number;
  latency: Summary;
  statuses: Record<string, number>;
  bytesPerResponse: number;
  clientCpuSeconds: number;
  /** Every latency, for merging runs; dropped from the JSON results. */
  samples?: number[];
}

export interface LoadOptions {
  concurrency: number;
  /** Run at least this long... */
  durationMs: number;
  /** ...and until this many answers are in (default 0)... */
  minRequests?: number;
  /** ...but never longer than this (default 3 x durationMs), nor beyond maxRequests. */
  maxMs?: number;
  maxRequests: number;
  next: (i: number) => Request | null;
  onResponse?: (req: Request, res: Response) => void;
}

/**
 * A closed loop: `concurrency` clients each send a request, wait for the answer, and send
 * the next, until the time is up or `next` has no more requests (bounded either way).
 */
export async function closedLoop(client: HttpClient, options: LoadOptions): Promise<LoadRun> {
  let issued = 0;
  client.resetConnections();
  const tally = new Tally(options.onResponse);
  const soft = tally.t0 + options.durationMs;
  const hard = tally.t0 + (options.maxMs ?? options.durationMs * 3);
  const more = () => {
    const now = performance.now();
    if (issued >= options.maxRequests || now >= hard) return false;
    return now < soft || issued < (options.minRequests ?? 0);
  };
  const worker = async () => {
    while (more()) {
      const req = options.next(issued++);
      if (!req) return;
      tally.add(req, await client.send(req));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return tally.run(options.concurrency);
}

/** The answers of a run as they come, and the run's figures from them. */
class Tally {
  readonly t0 = performance.now();
  private readonly client0 = process.cpuUsage();
  private readonly latencies: number[] = [];
  private readonly statuses: Record<string, number> = {};
  private bytes = 0;

  constructor(private readonly onResponse?: (req: Request, res: Response) => void) {}

  add(req: Request, res: Response) {
    this.latencies.push(res.ms);
    this.bytes += res.body.length;
    this.statuses[res.status] = (this.statuses[res.status] ?? 0) + 1;
    this.onResponse?.(req, res);
  }

  run(concurrency: number): LoadRun {
    const wallMs = performance.now() - this.t0;
    const cpu = process.cpuUsage(this.client0);
    const n = this.latencies.length;
    return {
      concurrency,
      wallMs,
      requests: n,
      throughput: n / (wallMs / 1000),
      latency: summarise(this.latencies),
      statuses: this.statuses,
      bytesPerResponse: n ? this.bytes / n : 0,
      clientCpuSeconds: (cpu.user + cpu.system) / 1e6,
      samples: this.latencies,
    };
  }
}

export interface OpenLoopOptions {
  /** Requests a second, sent on schedule whatever the answers (as from many desks at once). */
  rate: number;
  durationMs: number;
  next: (i: number) => Request | null;
  onResponse?: (req: Request, res: Response) => void;
}

/**
 * An open loop: a request every 1000 / rate ms for durationMs, each sent when due even if
 * earlier ones are unanswered, so a slow server meets the same arrivals rather than fewer
 * (a closed loop would hide its slowness by asking less). Waits for the last answer.
 */
export async function openLoop(client: HttpClient, options: OpenLoopOptions): Promise<LoadRun> {
  const inFlight: Promise<void>[] = [];
  const tally = new Tally(options.onResponse);
  for (let i = 0; ; i++) {
    const due = tally.t0 + (i * 1000) / options.rate;
    if (due >= tally.t0 + options.durationMs) break;
    const req = options.next(i);
    if (!req) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(client.send(req).then((res) => tally.add(req, res)));
  }
  await Promise.all(inFlight);
  return tally.run(NaN);
}

/** Runs one after another as one: counts and times added, percentiles over every sample. */
export function mergeRuns(runs: LoadRun[]): LoadRun {
  const samples = runs.flatMap((r) => r.samples ?? []);
  const wallMs = runs.reduce((t, r) => t + r.wallMs, 0);
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    concurrency: runs[0].concurrency,
    wallMs,
    requests: samples.length,
    throughput: samples.length / (wallMs / 1000),
    latency: summarise(samples),
    statuses,
    bytesPerResponse: runs.reduce((t, r) => t + r.bytesPerResponse * r.requests, 0) / Math.max(1, samples.length),
    clientCpuSeconds: runs.reduce((t, r) => t + r.clientCpuSeconds, 0),
    samples,
  };
}
