import { Module } from '@nestjs/common';
import { DiaryLoader } from './diary.loader';
import { SlotsController } from './slots.controller';
import { SlotsService } from './slots.service';

@Module({
  controllers: [SlotsController],
  providers: [DiaryLoader, SlotsService],
  exports: [DiaryLoader, SlotsService],
})
export class SlotsModule {}
