import { Module } from '@nestjs/common';
import { Queues } from '../common/queue/queues';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookEndpointsController } from './webhooks.controller';
import { webhookResolver, WebhooksService } from './webhooks.service';

@Module({
  controllers: [WebhookEndpointsController],
  // A Queues of its own (connections included) rather than one borrowed from another feature's module.
  providers: [Queues, webhookResolver, WebhooksService, WebhookDispatcher],
})
export class WebhooksModule {}
