import { Logger } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import { EmailChannel, OutgoingEmail, SendOutcome } from './channel';

// Stages before the message is handed over: a failure there cannot have sent it.
const BEFORE_DATA = new Set(['CONN', 'EHLO', 'HELO', 'STARTTLS', 'AUTH PLAIN', 'AUTH LOGIN', 'AUTH XOAUTH2', 'MAIL FROM', 'RCPT TO']);

export class SmtpEmail extends EmailChannel {
  private readonly transport: Transporter;
  readonly description: string;

  constructor(
    url: string,
    private readonly from: string,
    /** Domain of our Message-IDs, so each message keeps the same one on every attempt. */
    private readonly domain: string,
  ) {
    super();
    this.transport = createTransport(url, { pool: true, maxConnections: 5 } as object);
    const shown = new URL(url);
    this.description = `SMTP at ${shown.host}, from ${from}`;
  }

  async send(email: OutgoingEmail): Promise<SendOutcome> {
    try {
      const info = await this.transport.sendMail({
        from: this.from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        messageId: `<${email.messageId}@${this.domain}>`,
        attachments: email.calendar ? [{ filename: 'appointment.ics', content: email.calendar, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' }] : [],
      });
      return { ok: true, providerId: info.messageId, status: 'sent' };
    } catch (error) {
      const e = error as { responseCode?: number; command?: string; code?: string; message?: string };
      const message = e.message ?? String(error);
      const code = e.responseCode ? String(e.responseCode) : (e.code ?? null);
      if (e.responseCode && e.responseCode >= 500) return { ok: false, kind: 'permanent', code, message };
      if ((e.responseCode && e.responseCode >= 400) || (e.command && BEFORE_DATA.has(e.command))) return { ok: false, kind: 'retry', code, message };
      return { ok: false, kind: 'unknown', code, message };
    }
  }
}

/** Without SMTP_URL: emails are written to the log, and nothing is sent. */
export class LoggedEmail extends EmailChannel {
  readonly description = 'the log (no SMTP_URL set): NO EMAIL IS SENT';
  private readonly logger = new Logger('Email');

  async send(email: OutgoingEmail): Promise<SendOutcome> {
    this.logger.warn(`NOT SENT (no SMTP configured) to ${email.to}: "${email.subject}"\n${email.text}${email.calendar ? '\n[with appointment.ics]' : ''}`);
    return { ok: true, providerId: `log-${email.messageId}`, status: 'sent' };
  }
}
