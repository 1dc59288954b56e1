import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_URL_LENGTH } from '../domain/addresses';
import { WEBHOOK_EVENT_TYPES, WebhookEventType } from '../domain/events';

const NULLABLE_TIME = { type: 'string', format: 'date-time', nullable: true } as const;

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://hooks.partner.example/careers', maxLength: MAX_URL_LENGTH, description: 'https only, to a public address (checked again, after DNS, before every attempt). Redirects are not followed.' })
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, minItems: 1, maxItems: WEBHOOK_EVENT_TYPES.length, example: ['booking.created', 'booking.cancelled'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[];
}

export class WebhookEndpointView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'https://hooks.partner.example/careers' }) url: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) events: WebhookEventType[];
  @ApiProperty({ enum: ['enabled', 'disabled'], description: 'A disabled endpoint is sent nothing until it is enabled again; disabledReason says why.' }) status: 'enabled' | 'disabled';
  @ApiProperty({ type: 'string', nullable: true, example: 'Every attempt failed for 3 days, from 2027-01-04T09:00:00.000Z to 2027-01-07T09:00:05.000Z' }) disabledReason: string | null;
  @ApiProperty({ ...NULLABLE_TIME }) disabledAt: string | null;
  @ApiProperty({ ...NULLABLE_TIME, description: 'The first failed attempt since the last success; after 3 days of failures only, the endpoint is disabled.' }) failingSince: string | null;
  @ApiProperty({ ...NULLABLE_TIME, description: 'Until then, after a rotation, the previous secret signs beside the new one.' }) previousSecretExpiresAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
}

export class CreatedWebhookEndpointView extends WebhookEndpointView {
  @ApiProperty({ example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwM2tWzY5dQq0=', description: 'The signing secret (Standard Webhooks, whsec_ and base64). Shown only now and on rotation.' })
  secret: string;
}

export class WebhookEndpointListView {
  @ApiProperty({ type: [WebhookEndpointView] }) endpoints: WebhookEndpointView[];
}

export class RotatedSecretView {
  @ApiProperty({ example: 'whsec_3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', description: 'The new secret, shown only now.' }) secret: string;
  @ApiProperty({ format: 'date-time', description: 'Until then every webhook is signed with both secrets (two v1 signatures in webhook-signature).' }) previousSecretExpiresAt: string;
}

export class WebhookAttemptView {
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: 'integer', nullable: true, example: 500, description: "The receiver's status, if it answered." }) statusCode: number | null;
  @ApiProperty({ type: 'string', nullable: true, example: 'TIMEOUT: no answer within 15000 ms', description: 'Code first: TIMEOUT, CONNECTION_FAILED, DNS_FAILED, ADDRESS_NOT_ALLOWED, REDIRECT_NOT_FOLLOWED.' }) error: string | null;
  @ApiProperty({ type: 'integer', example: 182 }) durationMs: number;
  @ApiProperty({ type: 'integer', minimum: 1, description: '1, then one more for each replay.' }) round: number;
}

export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'msg_2f1c9e0b6d4a4c1e9b7a3d5f8e2c1a0b', description: 'webhook-id: the same on every attempt and replay.' }) webhookId: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES }) type: WebhookEventType;
  @ApiProperty({ format: 'uuid' }) bookingId: string;
  @ApiProperty({ type: 'integer', description: 'data.sequence: rises with each event about the booking.' }) sequence: number;
  @ApiProperty({ enum: ['pending', 'delivered', 'failed'], description: 'failed: every attempt of the schedule failed (about 75 hours); replay it once the receiver is back.' }) status: 'pending' | 'delivered' | 'failed';
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ ...NULLABLE_TIME }) settledAt: string | null;
  @ApiProperty({ type: [WebhookAttemptView] }) attempts: WebhookAttemptView[];
}

export class WebhookDeliveryListView {
  @ApiProperty({ type: [WebhookDeliveryView] }) deliveries: WebhookDeliveryView[];
}

export class DeliveriesQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'The latest this many deliveries, newest first.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}
