import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { Queues } from '../common/queue/queues';
import { REMINDER_QUEUE } from '../reminders/outbox.relay';
import { adminKeyOnly } from './admin-key.middleware';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board over the reminder queue, for the admin only. It is an Express app of its own
 * (pages, static files and a JSON API under one path), so it is mounted on the HTTP
 * server rather than routed through Nest, and guarded by its own middleware.
 */
@Injectable()
export class QueueBoard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: Queues,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    // The standalone worker is an application context with no HTTP server.
    const http = this.adapterHost.httpAdapter;
    if (!http) return;
    const board = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      // Read-only: the reminder rows, not the jobs, are the record. Promoting a job sends a
      // reminder days early, and cleaning or emptying loses reminders the outbox counts as
      // handed over; retrying a job that failed for good sends nothing, as its row is settled.
      queues: [new BullMQAdapter(this.queues.queue(REMINDER_QUEUE), { readOnlyMode: true })],
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'Reminder queue' } },
    });
    // Nest has registered its routes by now (onModuleInit runs after them) but not yet
    // its 404 handler, so this lands in between.
    http.use(QUEUE_BOARD_PATH, adminKeyOnly(this.config.ADMIN_API_KEY, 'queues'), board.getRouter());
  }
}
