import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
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
  messages(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<BookingMessagesView> {
    return this.reminders.messages(principal, id);
  }

  @Get('sites/:id/reminder-policy')
  @RequireScope('admin')
  @ApiOkResponse({ type: ReminderPolicyView })
  policy(@Param('id', UuidParam) id: string): Promise<ReminderPolicyView> {
    return this.reminders.policy(id);
  }

  @Put('sites/:id/reminder-policy')
  @RequireScope('admin')
  @ApiOkResponse({ type: ReminderPolicyView, description: 'Applies to bookings made or moved from now on.' })
  savePolicy(@Param('id', UuidParam) id: string, @Body() dto: ReminderPolicyDto): Promise<ReminderPolicyView> {
    return this.reminders.savePolicy(id, dto);
  }

  @Get('appointment-types/:code/templates')
  @RequireScope('admin')
  @ApiOkResponse({ type: [TemplateView] })
  templates(@Param('code', CodeParam) code: string): Promise<TemplateView[]> {
    return this.reminders.templates(code);
  }

  @Put('appointment-types/:code/templates')
  @RequireScope('admin')
  @ApiOkResponse({ type: TemplateView })
  @ApiUnprocessableEntityResponse({ description: 'TEMPLATE_INVALID: an unknown placeholder, or an SMS longer than two segments at its longest; UNKNOWN_VARIANT' })
  saveTemplate(@Param('code', CodeParam) code: string, @Body() dto: SaveTemplateDto): Promise<TemplateView> {
    return this.reminders.saveTemplate(code, dto);
  }
}
