import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import { Principal } from '../common/auth/principal';
import { ApiErrors } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { FreeNowQuery, SlotListView, SlotSearchQuery } from './dto/slots.dto';
import { SlotsService } from './slots.service';

@ApiTags('slots')
@ApiBearerAuth()
@RequireScope('slots:read')
@Controller('v1')
export class SlotsController {
  constructor(private readonly slots: SlotsService) {}

  @Get('slots')
  @ApiOperation({
    summary:
      'What can I book? Free slots of a type at sites (or near one) or with advisers, earliest first across them all; with customerReference, then the full ones that customer would be admitted into as an extra. ' +
      'With limit, only the first that many of that answer.',
  })
  @ApiOkResponse({ type: SlotListView })
  @ApiErrors({ 400: 'SEARCH_TOO_BROAD, INVALID_RANGE, RANGE_TOO_LARGE', 422: 'UNKNOWN_APPOINTMENT_TYPE, UNKNOWN_SITE (nearSiteId)' })
  async search(@CurrentPrincipal() principal: Principal, @Query() query: SlotSearchQuery): Promise<SlotListView> {
    return { slots: await this.slots.search(query, undefined, principal.clientId) };
  }

  @Get('sites/:id/free-now')
  @ApiOperation({ summary: 'Who can see this customer right now (walk-over referrals)?' })
  @ApiOkResponse({ type: SlotListView })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND', 422: 'UNKNOWN_APPOINTMENT_TYPE' })
  async freeNow(@Param('id', UuidParam) id: string, @Query() query: FreeNowQuery): Promise<SlotListView> {
    return { slots: await this.slots.freeNow(id, query.appointmentType) };
  }
}
