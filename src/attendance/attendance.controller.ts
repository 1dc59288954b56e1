import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { AttendanceService } from './attendance.service';
import { IMPORT_COLUMNS, MAX_IMPORT_ROWS } from './domain/history-import';
import { AttendancePolicyDto, AttendancePolicyView, BookingHistoryView, OutcomesDueQuery, OutcomesDueView, OutcomeView, RecordOutcomeDto } from './dto/attendance.dto';
import { ImportResultView, InsightsQuery, InsightsView } from './dto/insights.dto';
import { HistoryImportService } from './history-import.service';
import { InsightsService } from './insights.service';
import { ShowModelView } from './dto/models.dto';
import { ShowModelService } from './show-model.service';
import { VenueHealthQuery, VenueHealthView } from './dto/venue-health.dto';
import { VenueHealthService } from './venue-health.service';

@ApiTags('attendance')
@ApiBearerAuth()
@Controller('v1')
export class AttendanceController {
  constructor(
    private readonly attendance: AttendanceService,
    private readonly insights: InsightsService,
    private readonly imports: HistoryImportService,
    private readonly showModel: ShowModelService,
    private readonly venueHealth: VenueHealthService,
  ) {}

  @Post('bookings/:id/outcome')
  @HttpCode(200)
  @RequireScope('bookings:write')
  @ApiOkResponse({
    type: OutcomeView,
    description:
      "Records what happened, by the adviser's provider, the organisation that booked, or an admin. A later call corrects it; every version stays in the history.",
  })
  @ApiErrors(...BODY_ERRORS, { 404: 'BOOKING_NOT_FOUND', 409: 'TOO_EARLY before the appointment starts; BOOKING_CANCELLED for a cancelled booking' })
  recordOutcome(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Body() dto: RecordOutcomeDto): Promise<OutcomeView> {
    return this.attendance.recordOutcome(principal, id, dto);
  }

  @Get('bookings/:id/history')
  @RequireScope('bookings:write')
  @ApiOkResponse({ type: BookingHistoryView, description: 'Every change to the booking, oldest first: the audit trail of a referral.' })
  @ApiErrors(400, { 404: 'BOOKING_NOT_FOUND' })
  history(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<BookingHistoryView> {
    return this.attendance.history(principal, id);
  }

  @Get('sites/:id/outcomes-due')
  @RequireScope('bookings:write')
  @ApiOkResponse({ type: OutcomesDueView, description: 'Bookings on the day that have started and have no outcome yet.' })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND' })
  outcomesDue(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Query() query: OutcomesDueQuery): Promise<OutcomesDueView> {
    return this.attendance.outcomesDue(principal, id, query.date);
  }

  @Get('sites/:id/attendance-policy')
  @RequireScope('admin')
  @ApiOkResponse({ type: AttendancePolicyView })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND' })
  policy(@Param('id', UuidParam) id: string): Promise<AttendancePolicyView> {
    return this.attendance.policy(id);
  }

  @Put('sites/:id/attendance-policy')
  @RequireScope('admin')
  @ApiOkResponse({ type: AttendancePolicyView })
  @ApiErrors(...BODY_ERRORS, { 404: 'SITE_NOT_FOUND' })
  savePolicy(@Param('id', UuidParam) id: string, @Body() dto: AttendancePolicyDto): Promise<AttendancePolicyView> {
    return this.attendance.savePolicy(id, dto);
  }

  @Get('insights/dna')
  @RequireScope('bookings:write')
  @ApiOkResponse({ type: InsightsView, description: "DNA patterns with 95% Wilson intervals. An organisation sees its own referrals and its advisers' appointments; a site manager's key asking only for sites it manages (siteId) sees all of theirs; an admin sees all." })
  @ApiErrors({ 400: 'INVALID_RANGE, RANGE_TOO_LARGE' })
  dna(@CurrentPrincipal() principal: Principal, @Query() query: InsightsQuery): Promise<InsightsView> {
    return this.insights.dna(principal, query);
  }

  @Get('sites/:id/health')
  @RequireScope('sites:manage')
  @ApiOkResponse({
    type: VenueHealthView,
    description:
      "Venue health: per whole week, referrals made to the site and how its appointments turned out, and whether referrals are drying up (the last two weeks under half the eight before). For the site's managers and admins.",
  })
  @ApiErrors(400, { 403: 'FORBIDDEN without the sites:manage scope; SITE_NOT_MANAGED for a site this key does not manage', 404: 'SITE_NOT_FOUND' })
  health(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Query() query: VenueHealthQuery): Promise<VenueHealthView> {
    return this.venueHealth.health(principal, id, query.weeks);
  }

  @Post('history/import')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    description: `Past appointments from an old diary system: {"rows":[...]} or CSV with the header ${IMPORT_COLUMNS.join(',')}; at most ${MAX_IMPORT_ROWS} rows.`,
    schema: {
      oneOf: [
        {
          type: 'object',
          required: ['rows'],
          properties: { rows: { type: 'array', maxItems: MAX_IMPORT_ROWS, items: { type: 'object', required: [...IMPORT_COLUMNS], properties: Object.fromEntries(IMPORT_COLUMNS.map((c) => [c, c === 'mandatory' ? { type: 'boolean' } : { type: 'string' }])) } } },
        },
        { type: 'string', description: 'CSV' },
      ],
    },
  })
  @ApiOkResponse({ type: ImportResultView, description: 'Good rows are stored whatever is wrong with the others; a legacyId imported before is left as it was.' })
  @ApiErrors(...BODY_ERRORS, { 400: 'INVALID_IMPORT, INVALID_CSV, MISSING_COLUMNS, TOO_MANY_ROWS' })
  import(@Body() body: unknown): Promise<ImportResultView> {
    return this.imports.import(body);
  }

  @Get('models/show-probability')
  @RequireScope('admin')
  @ApiOkResponse({ type: ShowModelView, description: 'The live model and how it did on a later period it was not fitted to.' })
  @ApiErrors({ 404: 'NO_MODEL before the first training' })
  model(): Promise<ShowModelView> {
    return this.showModel.current();
  }

  @Post('models/show-probability/train')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOkResponse({ type: ShowModelView, description: 'Fits a new version from every recorded and imported outcome, makes it live and rescores the bookings to come.' })
  @ApiErrors({ 409: 'TRAINING_UNDER_WAY while another run is going (retry after Retry-After)' })
  async train(): Promise<ShowModelView> {
    const trained = await this.showModel.train();
    if (!trained) throw new AppError(409, 'TRAINING_UNDER_WAY', 'Another instance is training the model right now; try again in a minute', undefined, { 'Retry-After': '60' });
    return trained;
  }
}
