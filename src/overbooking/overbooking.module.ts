import { Global, Module } from '@nestjs/common';
import { ExtraSeats } from '../common/admission/extra-seats';
import { SlotsModule } from '../slots/slots.module';
import { DaySheetController } from './day-sheet.controller';
import { DaySheetService } from './day-sheet.service';
import { OverbookingAdmission } from './overbooking-admission';
import { OverbookingController } from './overbooking.controller';
import { OverbookingService } from './overbooking.service';
import { ReleaseController } from './release.controller';
import { ReleaseService } from './release.service';
import { SimulationController } from './simulation.controller';
import { SimulationService } from './simulation.service';

// Global for the ExtraSeats port alone, which bookings asks without importing this feature.
@Global()
@Module({
  imports: [SlotsModule],
  controllers: [OverbookingController, DaySheetController, SimulationController, ReleaseController],
  providers: [OverbookingService, DaySheetService, SimulationService, ReleaseService, OverbookingAdmission, { provide: ExtraSeats, useExisting: OverbookingAdmission }],
  exports: [ExtraSeats, OverbookingService, DaySheetService, SimulationService, ReleaseService],
})
export class OverbookingModule {}
