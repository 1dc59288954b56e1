import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { CodeParam, UuidParam } from '../common/http/validation';
import { BookingMessagesView, ReminderPolicyDto, ReminderPolicyView, SaveTemplateDto, TemplateView } from './dto/reminders.dto';
import { RemindersService } from './reminders.service';

@ApiTags('reminders')
@ApiBearerAuth()
@Controller('v1')
export class RemindersController {
  constructor(private readonly reminders: RemindersService) {}

  @Get('bookings/:id/messages')
  @RequireScope('bookings:write')
  @ApiOkResponse({ type: BookingMessagesView, description: "The booking's reminder plan, step by step, with each message sent, its channel and its delivery status." })
  @ApiErrors(400, { 404: 'BOOKING_NOT_FOUND' })
  messages(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<BookingMessagesView> {
    return this.reminders.messages(principal, id);
  }

  @Get('sites/:id/reminder-policy')
  @RequireScope('admin')
  @ApiOkResponse({ type: ReminderPolicyView })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND' })
  policy(@Param('id', UuidParam) id: string): Promise<ReminderPolicyView> {
    return this.reminders.policy(id);
  }

  @Put('sites/:id/reminder-policy')
  @RequireScope('admin')
  @ApiOkResponse({ type: ReminderPolicyView, description: 'Applies to bookings made or moved from now on.' })
  @ApiErrors(...BODY_ERRORS, { 404: 'SITE_NOT_FOUND', 422: 'INVALID_QUIET_HOURS' })
  savePolicy(@Param('id', UuidParam) id: string, @Body() dto: ReminderPolicyDto): Promise<ReminderPolicyView> {
    return this.reminders.savePolicy(id, dto);
  }

  @Get('appointment-types/:code/templates')
  @RequireScope('admin')
  @ApiOkResponse({ type: [TemplateView] })
  @ApiErrors({ 400: 'INVALID_CODE', 404: 'APPOINTMENT_TYPE_NOT_FOUND' })
  templates(@Param('code', CodeParam) code: string): Promise<TemplateView[]> {
    return this.reminders.templates(code);
  }

  @Put('appointment-types/:code/templates')
  @RequireScope('admin')
  @ApiOkResponse({ type: TemplateView })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_CODE',
    404: 'APPOINTMENT_TYPE_NOT_FOUND, SITE_NOT_FOUND',
    422: 'TEMPLATE_INVALID (an unknown placeholder, or an SMS longer than two segments at its longest; details: one {code, message} per problem), UNKNOWN_VARIANT',
  })
  saveTemplate(@Param('code', CodeParam) code: string, @Body() dto: SaveTemplateDto): Promise<TemplateView> {
    return this.reminders.saveTemplate(code, dto);
  }
}
