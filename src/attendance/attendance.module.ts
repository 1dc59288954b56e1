import { Module } from '@nestjs/common';
import { AttendanceController } from './attendance.controller';
import { AttendanceRecords } from './attendance-records';
import { AttendanceService } from './attendance.service';
import { AutoDnaSweep } from './auto-dna.sweep';
import { HistoryImportService } from './history-import.service';
import { InsightsService } from './insights.service';
import { ShowModelService } from './show-model.service';

@Module({
  controllers: [AttendanceController],
  providers: [AttendanceService, AttendanceRecords, AutoDnaSweep, HistoryImportService, InsightsService, ShowModelService],
})
export class AttendanceModule {}
