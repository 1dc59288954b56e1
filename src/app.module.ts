import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ScheduleModule } from '@nestjs/schedule';
import { AttendanceModule } from './attendance/attendance.module';
import { BookingsModule } from './bookings/bookings.module';
import { AuthGuard } from './common/auth/auth.guard';
import { AuthModule } from './common/auth/auth.module';
import { APP_CONFIG, AppConfig } from './common/config/config';
import { ErrorFilter } from './common/errors/error.filter';
import { BookingEventsModule } from './common/events/booking-events';
import { validationPipe } from './common/http/validation';
import { RateLimitModule } from './common/rate-limit/rate-limit.module';
import { Clock } from './common/time/clock';
import { DiariesModule } from './diaries/diaries.module';
import { Adviser } from './diaries/entities/adviser.entity';
import { AppointmentType } from './diaries/entities/appointment-type.entity';
import { DiaryPatternEntity } from './diaries/entities/diary-pattern.entity';
import { HealthModule } from './health/health.module';
import { LinkPageModule, LinksModule } from './links/links.module';
import { OperationsModule } from './operations/operations.module';
import { OverbookingModule } from './overbooking/overbooking.module';
import { ApiKey } from './partners/entities/api-key.entity';
import { Organisation } from './partners/entities/organisation.entity';
import { PartnersModule } from './partners/partners.module';
import { RemindersModule } from './reminders/reminders.module';
import { RepliesModule } from './replies/replies.module';
import { Room } from './sites/entities/room.entity';
import { SiteClosure } from './sites/entities/site-closure.entity';
import { Site } from './sites/entities/site.entity';
import { SitesModule } from './sites/sites.module';
import { SlotsModule } from './slots/slots.module';
import { StaffModule } from './staff/staff.module';
import { WaitlistModule } from './waitlist/waitlist.module';
import { WebModule } from './web/web.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Global()
@Module({})
class ConfigModule {
  static with(config: AppConfig, clock: Clock): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }, { provide: Clock, useValue: clock }], exports: [APP_CONFIG, Clock] };
  }
}

@Module({})
export class AppModule {
  /** `clock` replaces the configured one where a test moves time on. */
  static with(config: AppConfig, clock = new Clock(config.CLOCK_OFFSET_MS)): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.with(config, clock),
        BookingEventsModule,
        AuthModule,
        RateLimitModule,
        ScheduleModule.forRoot(),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.DATABASE_URL,
          entities: [Organisation, ApiKey, Site, Room, SiteClosure, AppointmentType, Adviser, DiaryPatternEntity],
          // The schema belongs to the hand-written migrations, never to the entities.
          synchronize: false,
          extra: { max: config.DB_POOL_SIZE, connectionTimeoutMillis: config.DB_CONNECT_TIMEOUT_MS },
        }),
        PartnersModule,
        SitesModule,
        DiariesModule,
        SlotsModule,
        BookingsModule,
        RemindersModule,
        AttendanceModule,
        OverbookingModule,
        RepliesModule,
        WaitlistModule,
        WebhooksModule,
        LinksModule,
        LinkPageModule,
        StaffModule,
        WebModule,
        HealthModule,
        OperationsModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
        { provide: APP_PIPE, useValue: validationPipe },
      ],
    };
  }
}
