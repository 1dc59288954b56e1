import { Module } from '@nestjs/common';
import { RemindersModule } from '../reminders/reminders.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { QueueBoard } from './queue-board';

/** What operators look at: Prometheus metrics at /metrics and Bull Board at /admin/queues. */
@Module({
  imports: [RemindersModule],
  controllers: [MetricsController],
  providers: [MetricsService, QueueBoard],
})
export class OperationsModule {}
