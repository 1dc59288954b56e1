import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BookingsModule } from '../bookings/bookings.module';
import { DiariesController } from './diaries.controller';
import { DiariesService } from './diaries.service';
import { Adviser } from './entities/adviser.entity';
import { AppointmentType } from './entities/appointment-type.entity';
import { DiaryPatternEntity } from './entities/diary-pattern.entity';

@Module({
  imports: [TypeOrmModule.forFeature([AppointmentType, Adviser, DiaryPatternEntity]), BookingsModule],
  controllers: [DiariesController],
  providers: [DiariesService],
})
export class DiariesModule {}
