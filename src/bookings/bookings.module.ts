import { Module } from '@nestjs/common';
import { RemindersModule } from '../reminders/reminders.module';
import { SlotsModule } from '../slots/slots.module';
import { BookingsController } from './bookings.controller';
import { BookingsService } from './bookings.service';
import { RebookingService } from './rebooking.service';
import { SeatService } from './seat.service';

@Module({
  imports: [SlotsModule, RemindersModule],
  controllers: [BookingsController],
  providers: [BookingsService, SeatService, RebookingService],
  exports: [RebookingService, SeatService, BookingsService],
})
export class BookingsModule {}
