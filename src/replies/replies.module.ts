import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module';
import { RemindersModule } from '../reminders/reminders.module';
import { SlotsModule } from '../slots/slots.module';
import { WaitlistModule } from '../waitlist/waitlist.module';
import { CustomerActions } from './customer-actions';
import { FollowUpsService } from './follow-ups.service';
import { FollowUpsController, InboundSmsController } from './replies.controller';
import { RepliesService } from './replies.service';

@Module({
  imports: [BookingsModule, RemindersModule, SlotsModule, WaitlistModule],
  controllers: [InboundSmsController, FollowUpsController],
  providers: [RepliesService, FollowUpsService, CustomerActions],
  // The same actions for the personal link in reminders (src/links).
  exports: [CustomerActions, FollowUpsService],
})
export class RepliesModule {}
