import { Module } from '@nestjs/common';
import { SlotsModule } from '../slots/slots.module';
import { DaySheetController } from './day-sheet.controller';
import { DaySheetService } from './day-sheet.service';
import { OverbookingController } from './overbooking.controller';
import { OverbookingService } from './overbooking.service';

@Module({ imports: [SlotsModule], controllers: [OverbookingController, DaySheetController], providers: [OverbookingService, DaySheetService] })
export class OverbookingModule {}
