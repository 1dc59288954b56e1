import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { checkedFetch } from './contract';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks';

export interface RecordedSms {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
}

export interface TwilioFailure {
  status: number;
  code?: number;
  message?: string;
}

export const TEST_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TEST_AUTH_TOKEN = 'test-twilio-auth-token-0123456789';
export const TEST_FROM = '+447700900001';

/**
 * A stand-in for Twilio's Messages API on loopback, for the real `twilio` library to
 * talk to: it records each message, can be told to refuse (as Twilio does, with an
 * error code), to hold its answers or to drop them, and posts status callbacks signed
 * as Twilio would.
 */
export class TwilioStandIn {
  readonly received: RecordedSms[] = [];
  private failures: ((sms: Omit<RecordedSms, 'sid'>) => TwilioFailure | null)[] = [];
  private held: { answer: () => void; res: ServerResponse }[] | null = null;
  private readonly arrivals: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<TwilioStandIn> {
    let standIn: TwilioStandIn;
    const server = createServer((req, res) => void standIn.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    standIn = new TwilioStandIn(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return standIn;
  }

  /** Refuses every message for which `rule` gives a failure (until reset). */
  failWhen(rule: (sms: Omit<RecordedSms, 'sid'>) => TwilioFailure | null): void {
    this.failures.push(rule);
  }

  /** Records messages but answers none until `release`: a provider call in flight. */
  hold(): void {
    this.held = [];
  }

  release(): void {
    this.takeHeld().forEach(({ answer }) => answer());
  }

  /** Drops the held calls' connections unanswered: Twilio has the messages, their senders never hear so. */
  breakOff(): void {
    this.takeHeld().forEach(({ res }) => res.destroy());
  }

  private takeHeld() {
    const held = this.held ?? [];
    this.held = null;
    return held;
  }

  reset(): void {
    this.received.length = 0;
    this.failures = [];
    this.release();
  }

  /** Resolves once `count` messages have been received in all. */
  async waitFor(count: number, timeoutMs = 20_000): Promise<RecordedSms[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`Twilio stand-in: expected ${count} messages, got ${this.received.length}`);
      await new Promise<void>((resolve) => {
        this.arrivals.push(resolve);
        setTimeout(resolve, 100);
      });
    }
    return this.received.slice(0, count);
  }

  /** Posts a status callback for a message to its StatusCallback URL, signed with `authToken`. */
  async callback(sms: RecordedSms, status: string, options: { errorCode?: string; authToken?: string; signature?: string | null } = {}): Promise<Response> {
    if (!sms.statusCallback) throw new Error('The message had no StatusCallback');
    const params: Record<string, string> = { AccountSid: sms.accountSid, MessageSid: sms.sid, SmsSid: sms.sid, MessageStatus: status, SmsStatus: status, To: sms.to, From: sms.from, ApiVersion: '2010-04-01' };
    if (options.errorCode) params.ErrorCode = options.errorCode;
    const signature = options.signature === undefined ? getExpectedTwilioSignature(options.authToken ?? TEST_AUTH_TOKEN, sms.statusCallback, params) : options.signature;
    return checkedFetch(
      sms.statusCallback,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(signature === null ? {} : { 'X-Twilio-Signature': signature }) },
        body: new URLSearchParams(params).toString(),
      },
      // The app's public base URL, which the callback's address starts with (perhaps behind a gateway's prefix).
      sms.statusCallback.slice(0, sms.statusCallback.indexOf('/v1/')),
    );
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/.exec(req.url ?? '');
    const auth = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
    if (req.method !== 'POST' || !match) return json(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    if (auth !== `${match[1]}:${TEST_AUTH_TOKEN}`) return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    const sms = { accountSid: match[1], to: form.get('To') ?? '', from: form.get('From') ?? '', body: form.get('Body') ?? '', statusCallback: form.get('StatusCallback') };
    const failure = this.failures.map((rule) => rule(sms)).find((f) => f !== null);
    if (failure) return json(res, failure.status, { code: failure.code ?? null, message: failure.message ?? 'Refused by the stand-in', more_info: 'https://www.twilio.com/docs/errors', status: failure.status });
    // Recorded on arrival: from here the message has reached "Twilio", whatever becomes of the caller.
    const recorded = { sid: `SM${randomBytes(16).toString('hex')}`, ...sms };
    this.received.push(recorded);
    this.arrivals.splice(0).forEach((wake) => wake());
    const answer = () =>
      json(res, 201, { sid: recorded.sid, account_sid: sms.accountSid, to: sms.to, from: sms.from, body: sms.body, status: 'queued', num_segments: '1', api_version: '2010-04-01' });
    if (this.held) this.held.push({ answer, res });
    else answer();
  }
}

function json(res: ServerResponse, status: number, body: object): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
