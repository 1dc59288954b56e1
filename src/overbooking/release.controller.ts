import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { RELEASE_CEILING } from './domain/release';
import { ReleaseView } from './dto/release.dto';
import { ReleaseService } from './release.service';

// A site's decision, as its overbooking policy is: a site manager's key for the booking's site, or the admin.
@ApiTags('overbooking')
@ApiBearerAuth()
@RequireScope('sites:manage')
@Controller('v1/bookings/:id/release')
export class ReleaseController {
  constructor(private readonly releases: ReleaseService) {}

  @Post()
  @HttpCode(200)
  @ApiOkResponse({
    type: ReleaseView,
    description: `Offers one extra seat beside a booking likely to be missed (show probability at most ${RELEASE_CEILING}) to the waitlist, by text, as a freed slot is offered. The booking stands; whoever claims the seat is booked into the same session as an extra, within the site's overbooking caps (maxExtraPerSession, maxExtraPerDay; the defaults where no policy is set), whatever the policy's mode. Once per booking.`,
  })
  @ApiErrors(400, {
    404: 'BOOKING_NOT_FOUND (also a booking at a site this key does not manage)',
    409: 'BOOKING_CANCELLED, BOOKING_STARTED, ALREADY_RELEASED, LIKELY_TO_COME (above the ceiling, or never scored), CAP_SESSION or CAP_DAY (no room for an extra under the site’s caps)',
  })
  release(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<ReleaseView> {
    return this.releases.release(principal, id);
  }
}
