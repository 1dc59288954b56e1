import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { MAX_REPLAY_REQUESTS, MIN_RECORDED_OUTCOMES } from './domain/replay';
import { SimulationDto, SimulationView } from './dto/simulation.dto';
import { SimulationService } from './simulation.service';

@ApiTags('overbooking')
@ApiBearerAuth()
@RequireScope('sites:manage')
@Controller('v1/sites/:id/overbooking/simulate')
export class SimulationController {
  constructor(private readonly simulations: SimulationService) {}

  // A POST for its body (a whole policy), though it changes nothing: hence 200, not 201.
  @Post()
  @HttpCode(200)
  @ApiOkResponse({
    type: SimulationView,
    description:
      "The site's recent whole weeks replayed under the policy, beside off and risk targets from 2% to 30%, on the same customers: today's diary laid over those weeks, " +
      'their recorded appointments and outcomes, and an assumed demand per seat (assumedDemand), since a full diary records nothing of the customers it turned away. ' +
      'Nothing is booked or written. Figures are rounded to 4 decimal places.',
  })
  @ApiErrors(...BODY_ERRORS, {
    403: 'SITE_NOT_MANAGED: this key may not manage that site',
    404: 'SITE_NOT_FOUND',
    422: `UNKNOWN_APPOINTMENT_TYPE; NOT_ENOUGH_HISTORY: fewer than ${MIN_RECORDED_OUTCOMES} recorded outcomes of the type at the site in those weeks; NO_DIARY: no adviser's diary there offers the type on those days; SIMULATION_TOO_LARGE: more than ${MAX_REPLAY_REQUESTS.toLocaleString('en-GB')} requests to replay (fewer weeks or a lower demand)`,
  })
  simulate(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Body() dto: SimulationDto): Promise<SimulationView> {
    return this.simulations.simulate(principal, id, dto);
  }
}
