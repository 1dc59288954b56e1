import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressAllowed, classifyAddress, isAddressLiteral } from './domain/addresses';

/** Every address a host name resolves to. */
export type Resolver = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

export interface PostOptions {
  timeoutMs: number;
  allowLoopback: boolean;
  resolve?: Resolver;
}

export interface PostOutcome {
  ok: boolean;
  statusCode: number | null;
  /** Why it failed where the status alone does not say, code first: TIMEOUT, REDIRECT_NOT_FOLLOWED, ADDRESS_NOT_ALLOWED, DNS_FAILED, CONNECTION_FAILED. */
  error: string | null;
  durationMs: number;
  /** The receiver's Retry-After, in milliseconds. */
  retryAfterMs: number | null;
}

// Only the status matters; what a receiver writes beyond this is not read.
export const MAX_RESPONSE_BYTES = 4096;

export class AddressRefused extends Error {}

/**
 * The addresses `hostname` resolves to, each checked: every one must be allowed, or none is
 * used (a name that also resolves to an internal address is refused outright).
 */
export async function checkedAddresses(hostname: string, allowLoopback: boolean, resolve: Resolver = systemResolver): Promise<{ address: string; family: number }[]> {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isAddressLiteral(bare) ? [{ address: bare, family: bare.includes(':') ? 6 : 4 }] : await resolve(bare);
  if (!addresses.length) throw new AddressRefused(`${hostname} resolves to no address`);
  const refused = addresses.find((a) => !addressAllowed(a.address, allowLoopback));
  if (refused) throw new AddressRefused(`${hostname} resolves to ${refused.address}, a ${classifyAddress(refused.address).replace('_', '-')} address`);
  return addresses;
}

const retryAfter = (value: string | undefined): number | null => {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  // An HTTP date is on the receiver's real clock, so it is compared with the machine's, not the service's.
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
};

/**
 * POSTs a webhook: the host name resolved and every address checked first, then the
 * connection made to that checked address (so a name that resolves elsewhere a moment later,
 * DNS rebinding, changes nothing), TLS still verified against the name. Redirects are not
 * followed, the answer is read up to MAX_RESPONSE_BYTES, and the whole exchange, connection
 * included, must end within timeoutMs.
 */
export async function postWebhook(url: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostOutcome> {
  const started = performance.now();
  const finish = (outcome: Omit<PostOutcome, 'durationMs'>): PostOutcome => ({ ...outcome, durationMs: Math.round(performance.now() - started) });
  const target = new URL(url);
  let pinned: { address: string; family: number };
  try {
    [pinned] = await checkedAddresses(target.hostname, options.allowLoopback, options.resolve);
  } catch (error) {
    const code = error instanceof AddressRefused ? 'ADDRESS_NOT_ALLOWED' : 'DNS_FAILED';
    return finish({ ok: false, statusCode: null, error: `${code}: ${(error as Error).message}`, retryAfterMs: null });
  }
  const lookupPinned: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const done = (outcome: Omit<PostOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve(finish(outcome));
    };
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'careers-booking-webhooks/1', ...headers },
        lookup: lookupPinned,
        // A fresh connection each time: a pooled one may have been made to another address.
        agent: false,
      },
      (response) => {
        const statusCode = response.statusCode ?? 0;
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= MAX_RESPONSE_BYTES) end();
        });
        const end = () => {
          const ok = statusCode >= 200 && statusCode < 300;
          const error = statusCode >= 300 && statusCode < 400 ? `REDIRECT_NOT_FOLLOWED: ${response.headers.location ?? 'no Location'}`.slice(0, 300) : null;
          done({ ok, statusCode, error, retryAfterMs: retryAfter(response.headers['retry-after']) });
        };
        response.on('end', end);
        response.on('error', end);
      },
    );
    const timer = setTimeout(() => done({ ok: false, statusCode: null, error: `TIMEOUT: no answer within ${options.timeoutMs} ms`, retryAfterMs: null }), options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => done({ ok: false, statusCode: null, error: `CONNECTION_FAILED: ${error.code ?? error.message}`, retryAfterMs: null }));
    request.end(body);
  });
}
