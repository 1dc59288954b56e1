import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../common/auth/auth.decorators';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { DiariesService } from './diaries.service';
import {
  AdviserView,
  AppointmentTypeView,
  CreateAdviserDto,
  CreateAppointmentTypeDto,
  CreateExceptionDto,
  CreatePatternDto,
  ExceptionView,
  PatternView,
} from './dto/diaries.dto';

@ApiTags('diaries')
@ApiBearerAuth()
@Controller('v1')
export class DiariesController {
  constructor(private readonly diaries: DiariesService) {}

  @Post('appointment-types')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: AppointmentTypeView })
  @ApiErrors(...BODY_ERRORS, { 409: 'APPOINTMENT_TYPE_EXISTS' })
  createType(@Body() dto: CreateAppointmentTypeDto): Promise<AppointmentTypeView> {
    return this.diaries.createType(dto);
  }

  @Get('appointment-types')
  @RequireScope('slots:read')
  @ApiOkResponse({ type: [AppointmentTypeView] })
  listTypes(): Promise<AppointmentTypeView[]> {
    return this.diaries.listTypes();
  }

  @Post('advisers')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: AdviserView })
  @ApiErrors(...BODY_ERRORS, { 422: 'UNKNOWN_ORGANISATION, UNKNOWN_APPOINTMENT_TYPE' })
  createAdviser(@Body() dto: CreateAdviserDto): Promise<AdviserView> {
    return this.diaries.createAdviser(dto);
  }

  @Get('advisers/:id')
  @RequireScope('slots:read')
  @ApiOkResponse({ type: AdviserView })
  @ApiErrors(400, { 404: 'ADVISER_NOT_FOUND' })
  getAdviser(@Param('id', UuidParam) id: string): Promise<AdviserView> {
    return this.diaries.getAdviser(id);
  }

  @Post('advisers/:id/patterns')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: PatternView })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_TIMES, INVALID_PERIOD',
    404: 'ADVISER_NOT_FOUND',
    409: 'PATTERN_OVERLAP, ROOM_CLASH (details: the patternId in the way)',
    422: 'UNKNOWN_SITE, UNKNOWN_ROOM, ADVISER_DOES_NOT_DELIVER',
  })
  createPattern(@Param('id', UuidParam) id: string, @Body() dto: CreatePatternDto): Promise<PatternView> {
    return this.diaries.createPattern(id, dto);
  }

  @Get('advisers/:id/patterns')
  @RequireScope('slots:read')
  @ApiOkResponse({ type: [PatternView] })
  @ApiErrors(400, { 404: 'ADVISER_NOT_FOUND' })
  listPatterns(@Param('id', UuidParam) id: string): Promise<PatternView[]> {
    return this.diaries.listPatterns(id);
  }

  @Post('advisers/:id/exceptions')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: ExceptionView })
  @ApiErrors(...BODY_ERRORS, { 400: 'INVALID_PERIOD', 404: 'ADVISER_NOT_FOUND' })
  createException(@Param('id', UuidParam) id: string, @Body() dto: CreateExceptionDto): Promise<ExceptionView> {
    return this.diaries.createException(id, dto);
  }
}
