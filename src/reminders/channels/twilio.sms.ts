import { Logger } from '@nestjs/common';
import twilio, { RequestClient, Twilio } from 'twilio';
import type BaseRequestClient from 'twilio/lib/base/RequestClient';
import { fromTwilioStatus } from '../domain/delivery-status';
import { OutgoingSms, SendOutcome, SmsChannel } from './channel';

/** Twilio's own HTTP client, sending to another origin (a stand-in of the REST API). */
class RedirectedRequestClient extends RequestClient {
  constructor(private readonly origin: URL) {
    super({ timeout: 15_000, keepAlive: true });
  }

  request<T>(opts: BaseRequestClient.RequestOptions<T>) {
    const uri = new URL(opts.uri);
    uri.protocol = this.origin.protocol;
    uri.host = this.origin.host;
    return super.request<T>({ ...opts, uri: uri.toString() });
  }
}

// Failures where the request cannot have reached Twilio: safe to try again.
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  from: string;
  apiUrl?: string;
  /** Where Twilio posts delivery updates; our message id rides along in the query. */
  statusCallback: (messageId: string) => string;
}

export class TwilioSms extends SmsChannel {
  private readonly client: Twilio;
  readonly description: string;

  constructor(private readonly settings: TwilioSettings) {
    super();
    const apiUrl = settings.apiUrl ? new URL(settings.apiUrl) : null;
    this.client = twilio(settings.accountSid, settings.authToken, apiUrl ? { httpClient: new RedirectedRequestClient(apiUrl) } : { timeout: 15_000, keepAlive: true });
    this.description = `Twilio, from ${settings.from}${apiUrl ? ` via ${apiUrl.origin}` : ''}`;
  }

  async send(sms: OutgoingSms): Promise<SendOutcome> {
    try {
      const message = await this.client.messages.create({ to: sms.to, from: this.settings.from, body: sms.body, statusCallback: this.settings.statusCallback(sms.messageId) });
      return { ok: true, providerId: message.sid, status: fromTwilioStatus(message.status) ?? 'queued' };
    } catch (error) {
      return classify(error);
    }
  }
}

function classify(error: unknown): SendOutcome {
  const e = error as { status?: number; code?: number | string; message?: string };
  const message = e.message ?? String(error);
  if (typeof e.status === 'number') {
    // Twilio answered, so no message was created. 4xx (but throttling) is about this
    // message (bad number, opted out) and will not change; 429, 5xx and auth trouble may.
    const code = e.code === undefined ? null : String(e.code);
    const retry = e.status === 429 || e.status >= 500 || e.status === 401 || e.status === 403;
    return { ok: false, kind: retry ? 'retry' : 'permanent', code, message };
  }
  const code = typeof e.code === 'string' ? e.code : null;
  return { ok: false, kind: code && NOT_SENT.has(code) ? 'retry' : 'unknown', code, message };
}

/** Without Twilio credentials: SMS are written to the log, and nothing is sent. */
export class LoggedSms extends SmsChannel {
  readonly description = 'the log (no TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM set): NO SMS ARE SENT';
  private readonly logger = new Logger('SMS');

  async send(sms: OutgoingSms): Promise<SendOutcome> {
    this.logger.warn(`NOT SENT (no Twilio configured) to ${sms.to}: ${sms.body}`);
    return { ok: true, providerId: `log-${sms.messageId}`, status: 'sent' };
  }
}
