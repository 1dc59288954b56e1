import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { DaySheetService } from './day-sheet.service';
import { DaySheetQuery, DaySheetView } from './dto/day-sheet.dto';

// No single scope guards the sheet: a site manager (sites:manage) and a booking key
// (bookings:write) may both read it, and see different amounts of it (DaySheetService).
@ApiTags('overbooking')
@ApiBearerAuth()
@Controller('v1/sites/:id/day-sheet')
export class DaySheetController {
  constructor(private readonly daySheets: DaySheetService) {}

  @Get()
  @ApiOkResponse({
    type: DaySheetView,
    description: "The site's local day: each session's bookings with their show probabilities, the customers it can expect, the chance that more come than it can see, and who could help where a queue is likely. Figures are rounded to 4 decimal places.",
  })
  @ApiErrors(400, 401, {
    403: 'FORBIDDEN: the key has neither bookings:write nor sites:manage; SITE_NOT_MANAGED: a site manager’s key for another site',
    404: 'SITE_NOT_FOUND',
    422: 'UNKNOWN_APPOINTMENT_TYPE',
  })
  sheet(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Query() query: DaySheetQuery): Promise<DaySheetView> {
    return this.daySheets.sheet(principal, id, query.date, query.appointmentType);
  }
}
