import { Module } from '@nestjs/common';
import { SlotsModule } from '../slots/slots.module';
import { BookingsController } from './bookings.controller';
import { BookingsService } from './bookings.service';
import { RebookingService } from './rebooking.service';
import { SeatService } from './seat.service';

@Module({
  imports: [SlotsModule],
  controllers: [BookingsController],
  providers: [BookingsService, SeatService, RebookingService],
  exports: [RebookingService, SeatService],
})
export class BookingsModule {}
