import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module';
import { RemindersModule } from '../reminders/reminders.module';
import { BackfillService } from './backfill.service';
import { OfferDispatcher } from './offer.dispatcher';
import { WaitlistController } from './waitlist.controller';
import { WaitlistService } from './waitlist.service';

@Module({
  imports: [BookingsModule, RemindersModule],
  controllers: [WaitlistController],
  providers: [WaitlistService, BackfillService, OfferDispatcher],
  exports: [BackfillService],
})
export class WaitlistModule {}
