import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { CreateWaitlistEntryDto, WaitlistEntryView, WaitlistQuery, WaitlistView } from './dto/waitlist.dto';
import { WaitlistService } from './waitlist.service';

@ApiTags('waitlist')
@ApiBearerAuth()
@RequireScope('bookings:write')
@Controller('v1/waitlist')
export class WaitlistController {
  constructor(private readonly waitlist: WaitlistService) {}

  @Post()
  @ApiCreatedResponse({
    type: WaitlistEntryView,
    description: 'On the list: a slot of the type, at one of the sites and wholly inside the window, freed by a cancellation or a move is texted to the longest waiting, three at a time; the first to reply 1 is booked.',
  })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_MOBILE, WINDOW_EMPTY, WINDOW_IN_PAST, WINDOW_TOO_LONG',
    409: 'ALREADY_WAITING: this customer is on the list for that type already',
    422: 'SMS_REQUIRED (no mobile, or no consent to contact), UNKNOWN_APPOINTMENT_TYPE, UNKNOWN_SITE',
  })
  add(@CurrentPrincipal() principal: Principal, @Body() dto: CreateWaitlistEntryDto): Promise<WaitlistEntryView> {
    return this.waitlist.add(principal, dto);
  }

  @Get()
  @ApiOkResponse({ type: WaitlistView, description: "The key's own organisation's entries (an admin's: everyone's), longest waiting first." })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: WaitlistQuery): Promise<WaitlistView> {
    return { entries: await this.waitlist.list(principal, query) };
  }

  @Get(':id')
  @ApiOkResponse({ type: WaitlistEntryView })
  @ApiErrors(400, { 404: 'WAITLIST_ENTRY_NOT_FOUND' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<WaitlistEntryView> {
    return this.waitlist.get(principal, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Off the list: offered nothing more. Removing again changes nothing.' })
  @ApiErrors(400, { 404: 'WAITLIST_ENTRY_NOT_FOUND', 409: 'ENTRY_FULFILLED: booked from the list; cancel the booking instead' })
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<void> {
    return this.waitlist.remove(principal, id);
  }
}
