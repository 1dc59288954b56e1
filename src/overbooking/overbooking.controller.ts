import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { OverbookingPolicyDto, OverbookingPolicyQuery, OverbookingPolicyView, PolicyChangesView } from './dto/overbooking.dto';
import { OverbookingService } from './overbooking.service';

@ApiTags('overbooking')
@ApiBearerAuth()
@RequireScope('sites:manage')
@Controller('v1/sites/:id/overbooking-policy')
export class OverbookingController {
  constructor(private readonly overbooking: OverbookingService) {}

  @Get()
  @ApiOkResponse({ type: OverbookingPolicyView, description: "The site's policy (or an appointment type's own); off, version 0, when none was ever set." })
  @ApiErrors(400, { 404: 'SITE_NOT_FOUND', 422: 'UNKNOWN_APPOINTMENT_TYPE' })
  get(@Param('id', UuidParam) id: string, @Query() query: OverbookingPolicyQuery): Promise<OverbookingPolicyView> {
    return this.overbooking.get(id, query.appointmentType);
  }

  @Put()
  @ApiOkResponse({ type: OverbookingPolicyView, description: 'Applies to bookings made from now on; the change is audited.' })
  @ApiErrors(...BODY_ERRORS, { 403: 'SITE_NOT_MANAGED: this key may not manage that site', 404: 'SITE_NOT_FOUND', 422: 'UNKNOWN_APPOINTMENT_TYPE' })
  save(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Body() dto: OverbookingPolicyDto): Promise<OverbookingPolicyView> {
    return this.overbooking.save(principal, id, dto);
  }

  @Get('changes')
  @ApiOkResponse({ type: PolicyChangesView, description: 'Every change to the site’s policies: who, when, before and after.' })
  @ApiErrors(400, { 403: 'SITE_NOT_MANAGED: this key may not manage that site', 404: 'SITE_NOT_FOUND' })
  changes(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<PolicyChangesView> {
    return this.overbooking.changes(principal, id);
  }
}
