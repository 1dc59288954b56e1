import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { PollLoop } from '../common/poll-loop';
import { Clock } from '../common/time/clock';
import { MINUTE } from '../common/time/local-time';
import { SmsChannel } from '../reminders/channels/channel';
import { BackfillService } from './backfill.service';

const BATCH = 20;
// A text claimed this long ago with no answer from the provider was being sent by a process that died.
const STALE_SENDING_MS = 5 * MINUTE;

interface QueuedText {
  id: string;
  mobile: string;
  body: string;
  expires_at: Date;
  reachable: boolean;
  /** The offer still open and the customer still waiting. */
  current: boolean;
}

/**
 * Sends offer texts after the transaction that wrote them has committed, and moves lapsed
 * offers on to their next round. It runs where reminders are sent (RUN_WORKER), in as
 * many processes as there are: each text is claimed in the database before the provider
 * is called, and one whose sender died mid-call is marked unknown, never sent twice.
 */
@Injectable()
export class OfferDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OfferDispatcher.name);
  private readonly loop: PollLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sms: SmsChannel,
    private readonly backfill: BackfillService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {
    this.loop = new PollLoop({
      pass: () => this.tick(),
      intervalMs: config.RELAY_INTERVAL_MS,
      failed: (error, first) => {
        if (first) this.logger.warn(`Waitlist offers: ${error.message}; tried again, less often until it works`);
      },
      recovered: () => this.logger.log('Waitlist offers are being sent again'),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.RUN_WORKER) this.loop.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass: claims abandoned by a dead process recovered, lapsed rounds moved on, then every queued text sent. */
  async tick(now = this.clock.now()): Promise<void> {
    await this.backfill.recoverClaims(now);
    await this.backfill.nextRounds(now);
    await this.dataSource.query(`UPDATE waitlist_offer_texts SET status = 'unknown', updated_at = $1 WHERE status = 'sending' AND updated_at < $2`, [new Date(now), new Date(now - STALE_SENDING_MS)]);
    while ((await this.sendBatch(now)) === BATCH);
  }

  private async sendBatch(now: number): Promise<number> {
    const [claimed]: [QueuedText[], number] = await this.dataSource.query(
      `UPDATE waitlist_offer_texts t SET status = 'sending', updated_at = $1
        WHERE t.id IN (SELECT id FROM waitlist_offer_texts WHERE status = 'queued' AND send_at <= $1 ORDER BY send_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
        RETURNING t.id, t.mobile, t.body, t.expires_at,
                  NOT EXISTS (SELECT 1 FROM customers c WHERE c.mobile = t.mobile AND (c.sms_opted_out_at IS NOT NULL OR c.mobile_invalid_at IS NOT NULL)) AS reachable,
                  EXISTS (SELECT 1 FROM waitlist_offers o JOIN waitlist_entries e ON e.id = t.entry_id WHERE o.id = t.offer_id AND o.status = 'open' AND e.status = 'waiting') AS current`,
      [new Date(now)],
    );
    for (const text of claimed) await this.send(text, now);
    return claimed.length;
  }

  private async send(text: QueuedText, now: number): Promise<void> {
    const settle = (status: string, fields: { providerId?: string; errorCode?: string | null }) =>
      this.dataSource.query(
        `UPDATE waitlist_offer_texts SET status = $2, provider_id = $3, error_code = $4, sent_at = CASE WHEN $2 = 'sent' THEN $5::timestamptz END, updated_at = $5 WHERE id = $1`,
        [text.id, status, fields.providerId ?? null, fields.errorCode ?? null, new Date(now)],
      );
    // A STOP since the offer was made, a slot taken or a customer booked or taken off the
    // list meanwhile, or an offer that lapsed while the worker was behind: not worth a text.
    if (!text.reachable) return void (await settle('failed', { errorCode: 'OPTED_OUT' }));
    if (!text.current) return void (await settle('failed', { errorCode: 'WITHDRAWN' }));
    if (text.expires_at.getTime() <= now) return void (await settle('failed', { errorCode: 'LAPSED' }));
    const outcome = await this.sms.send({ messageId: text.id, to: text.mobile, body: text.body });
    if (outcome.ok) return void (await settle('sent', { providerId: outcome.providerId }));
    if (outcome.kind === 'retry') return void (await settle('queued', {}));
    await settle(outcome.kind === 'unknown' ? 'unknown' : 'failed', { errorCode: outcome.code });
  }
}
