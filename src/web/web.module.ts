import { Module } from '@nestjs/common';
import { AttendanceModule } from '../attendance/attendance.module';
import { BookingsModule } from '../bookings/bookings.module';
import { OverbookingModule } from '../overbooking/overbooking.module';
import { RemindersModule } from '../reminders/reminders.module';
import { RepliesModule } from '../replies/replies.module';
import { SlotsModule } from '../slots/slots.module';
import { StaffModule } from '../staff/staff.module';
import { BookController } from './book/book.controller';
import { BookQueries } from './book/book.queries';
import { BookingsPagesController } from './bookings/bookings.controller';
import { DayController } from './day/day.controller';
import { DayQueries } from './day/day.queries';
import { FollowUpsPagesController } from './sites/follow-ups.controller';
import { SiteInsightsController } from './sites/site-insights.controller';
import { SitesController } from './sites/sites.controller';
import { SitesQueries } from './sites/sites.queries';
import { SignInController } from './sign-in/sign-in.controller';
import { StaffPagesController } from './staff/staff.controller';
import { StaffQueries } from './staff/staff.queries';
import { WebGuard } from './web-session';

/** The pages under /app, for staff at a desk; the API stays under /v1. */
@Module({
  imports: [StaffModule, SlotsModule, BookingsModule, RemindersModule, AttendanceModule, OverbookingModule, RepliesModule],
  controllers: [SignInController, BookController, BookingsPagesController, StaffPagesController, DayController, SitesController, SiteInsightsController, FollowUpsPagesController],
  providers: [WebGuard, BookQueries, DayQueries, SitesQueries, StaffQueries],
})
export class WebModule {}
