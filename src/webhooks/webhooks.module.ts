import { Module } from '@nestjs/common';
import { QueueModule } from '../common/queue/queue.module';
import { WebhookDispatcher } from './webhook.dispatcher';
import { WebhookEndpointsController } from './webhooks.controller';
import { webhookResolver, WebhooksService } from './webhooks.service';

@Module({
  imports: [QueueModule],
  controllers: [WebhookEndpointsController],
  providers: [webhookResolver, WebhooksService, WebhookDispatcher],
})
export class WebhooksModule {}
