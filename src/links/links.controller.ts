import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { BookingsService } from '../bookings/bookings.service';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { Clock } from '../common/time/clock';
import { LinksRevokedView } from './links.dto';
import { LinksService } from './links.service';

/** Revoking a booking's personal links by hand: a phone lost or shared, a link sent to the wrong person. */
@ApiTags('bookings')
@ApiBearerAuth()
@RequireScope('bookings:write')
@Controller('v1/bookings/:id/links')
export class LinksController {
  constructor(
    private readonly bookings: BookingsService,
    private readonly links: LinksService,
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Post('revoke')
  @HttpCode(200)
  @ApiOkResponse({
    type: LinksRevokedView,
    description: "Every personal link the booking's reminders carried stops working at once (the same 404 as a wrong link). Reminders sent from now on carry new ones. Revoking again revokes none.",
  })
  @ApiErrors(...BODY_ERRORS, { 404: 'BOOKING_NOT_FOUND' })
  async revoke(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<LinksRevokedView> {
    // Whether this key may see the booking, by the bookings' own rule.
    await this.bookings.get(principal, id);
    return { revoked: await this.links.revoke(this.dataSource, id, 'revoked', this.clock.now()) };
  }
}
