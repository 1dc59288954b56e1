import { Body, Controller, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiConsumes, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/auth/auth.decorators';
import { AppError } from '../common/errors/app-error';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { TwilioStatusService } from './twilio-status.service';

/** Called by Twilio, not by API clients: authenticated by its signature, not by a key. */
@ApiTags('webhooks')
@Public()
@Controller('v1/webhooks/twilio')
export class WebhooksController {
  constructor(private readonly status: TwilioStatusService) {}

  @Post('status')
  @HttpCode(204)
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiNoContentResponse({ description: "Twilio's message status callback (set per message as StatusCallback); applied, or ignored if not ours." })
  @ApiErrors(...BODY_ERRORS, { 400: 'INVALID_CALLBACK', 403: 'SIGNATURE_MISSING, SIGNATURE_INVALID, or WEBHOOK_DISABLED when no TWILIO_AUTH_TOKEN is set' })
  async twilioStatus(@Req() request: Request, @Headers('x-twilio-signature') signature: string | undefined, @Body() body: unknown, @Query('messageId') messageId: unknown): Promise<void> {
    const params = formParams(body);
    this.status.verify(signature, request.originalUrl, params);
    await this.status.apply(params, typeof messageId === 'string' ? messageId : undefined);
  }
}

/** Twilio posts flat form fields; anything else is not a callback. */
export function formParams(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError(400, 'INVALID_CALLBACK', 'Expected an application/x-www-form-urlencoded body');
  const entries = Object.entries(body);
  if (entries.some(([, v]) => typeof v !== 'string')) throw new AppError(400, 'INVALID_CALLBACK', 'Callback fields must be plain strings');
  return Object.fromEntries(entries) as Record<string, string>;
}
