import { Body, Controller, Get, Headers, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { twiml } from 'twilio';
import { CurrentPrincipal, Public, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { TwilioStatusService } from '../reminders/twilio-status.service';
import { formParams } from '../reminders/webhooks.controller';
import { FollowUpsView, ResolveFollowUpDto } from './dto/replies.dto';
import { FollowUpsService } from './follow-ups.service';
import { RepliesService } from './replies.service';

/** Customers' replies to their reminders, from Twilio: authenticated by its signature, answered in TwiML. */
@ApiTags('webhooks')
@Public()
@Controller('v1/webhooks/twilio')
export class InboundSmsController {
  constructor(
    private readonly signatures: TwilioStatusService,
    private readonly replies: RepliesService,
  ) {}

  @Post('sms')
  @HttpCode(200)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiOkResponse({
    description:
      "Twilio's incoming message webhook. The answer is TwiML with one <Message> for the customer: confirmed, cancelled, up to three held times to move to " +
      '(a reply of 1, 2 or 3 takes one), a question when the number has several bookings, help, or the options. A repeat of the same MessageSid changes nothing and gets the same answer.',
    content: { 'text/xml': { schema: { type: 'string', example: '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Thank you. Your appointment on Mon 4 Jan 10:00 at Lewisham Library is confirmed. See you then.</Message></Response>' } } },
  })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_CALLBACK (no MessageSid or From)',
    403: 'SIGNATURE_MISSING, SIGNATURE_INVALID, or WEBHOOK_DISABLED when no TWILIO_AUTH_TOKEN is set',
    409: 'REPLY_IN_PROGRESS: the same message is still being handled by an earlier delivery (Retry-After)',
  })
  async inbound(
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Body() body: unknown,
  ): Promise<string> {
    const params = formParams(body);
    this.signatures.verify(signature, request.originalUrl, params);
    const answer = new twiml.MessagingResponse();
    answer.message(await this.replies.receive(params));
    // Set only now: a refusal above stays JSON, as every error of the API.
    response.type('text/xml');
    return answer.toString();
  }
}

@ApiTags('replies')
@ApiBearerAuth()
@RequireScope('sites:manage')
@Controller('v1/sites/:id/follow-ups')
export class FollowUpsController {
  constructor(private readonly followUps: FollowUpsService) {}

  @Get()
  @ApiOkResponse({ type: FollowUpsView, description: "Customers' replies the service could not act on by itself, for a person at the site to handle." })
  @ApiErrors(400, { 403: 'SITE_NOT_MANAGED: this key may not manage that site', 404: 'SITE_NOT_FOUND' })
  list(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<FollowUpsView> {
    return this.followUps.list(principal, id);
  }

  @Post(':followUpId/resolve')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Handled: off the list. Resolving again keeps the first note.' })
  @ApiErrors(...BODY_ERRORS, { 403: 'SITE_NOT_MANAGED: this key may not manage that site', 404: 'SITE_NOT_FOUND, FOLLOW_UP_NOT_FOUND' })
  resolve(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Param('followUpId', UuidParam) followUpId: string, @Body() dto: ResolveFollowUpDto): Promise<void> {
    return this.followUps.resolve(principal, id, followUpId, dto);
  }
}
