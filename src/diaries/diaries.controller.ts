import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../common/auth/auth.decorators';
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
  createAdviser(@Body() dto: CreateAdviserDto): Promise<AdviserView> {
    return this.diaries.createAdviser(dto);
  }

  @Get('advisers/:id')
  @RequireScope('slots:read')
  @ApiOkResponse({ type: AdviserView })
  getAdviser(@Param('id', UuidParam) id: string): Promise<AdviserView> {
    return this.diaries.getAdviser(id);
  }

  @Post('advisers/:id/patterns')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: PatternView })
  createPattern(@Param('id', UuidParam) id: string, @Body() dto: CreatePatternDto): Promise<PatternView> {
    return this.diaries.createPattern(id, dto);
  }

  @Get('advisers/:id/patterns')
  @RequireScope('slots:read')
  @ApiOkResponse({ type: [PatternView] })
  listPatterns(@Param('id', UuidParam) id: string): Promise<PatternView[]> {
    return this.diaries.listPatterns(id);
  }

  @Post('advisers/:id/exceptions')
  @RequireScope('admin')
  @ApiCreatedResponse({ type: ExceptionView })
  createException(@Param('id', UuidParam) id: string, @Body() dto: CreateExceptionDto): Promise<ExceptionView> {
    return this.diaries.createException(id, dto);
  }
}
