import { Global, Module } from '@nestjs/common';
import { ShowEstimates } from '../common/admission/show-estimates';
import { AttendanceController } from './attendance.controller';
import { AttendanceRecords } from './attendance-records';
import { AttendanceService } from './attendance.service';
import { AutoDnaSweep } from './auto-dna.sweep';
import { HistoryImportService } from './history-import.service';
import { InsightsService } from './insights.service';
import { ShowModelService } from './show-model.service';
import { VenueHealthService } from './venue-health.service';

// Global for the ShowEstimates port alone, which overbooking asks without importing this feature.
@Global()
@Module({
  controllers: [AttendanceController],
  providers: [AttendanceService, AttendanceRecords, AutoDnaSweep, HistoryImportService, InsightsService, ShowModelService, VenueHealthService, { provide: ShowEstimates, useExisting: ShowModelService }],
  exports: [ShowEstimates, AttendanceService, InsightsService, VenueHealthService],
})
export class AttendanceModule {}
