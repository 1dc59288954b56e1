import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import {
  CreatedWebhookEndpointView,
  CreateWebhookEndpointDto,
  DeliveriesQuery,
  RotatedSecretView,
  WebhookDeliveryListView,
  WebhookDeliveryView,
  WebhookEndpointListView,
  WebhookEndpointView,
} from './dto/webhooks.dto';
import { WebhooksService } from './webhooks.service';

const ORGANISATION_ONLY = { 403: 'FORBIDDEN (the key lacks bookings:write), or ORGANISATION_KEY_REQUIRED: the bootstrap admin key belongs to no organisation' };
const NOT_FOUND = { 404: 'WEBHOOK_ENDPOINT_NOT_FOUND (another organisation\'s endpoints are not found either)' };

/** An organisation's own endpoints for signed webhooks about its bookings (Standard Webhooks). */
@ApiTags('webhooks')
@ApiBearerAuth()
@RequireScope('bookings:write')
@Controller('v1/webhooks/endpoints')
export class WebhookEndpointsController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedWebhookEndpointView, description: 'Registered; the secret is shown this once. Events about the organisation\'s bookings made from now on are sent.' })
  @ApiErrors(...BODY_ERRORS, ORGANISATION_ONLY, {
    409: `TOO_MANY_ENDPOINTS: the organisation has 20 already`,
    422: 'URL_INVALID, URL_NOT_HTTPS, ADDRESS_NOT_ALLOWED (private, loopback, link-local, unique-local, CGNAT or other non-public address, by IP or after DNS), URL_UNRESOLVABLE',
  })
  create(@CurrentPrincipal() principal: Principal, @Body() dto: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointView> {
    return this.webhooks.create(principal, dto);
  }

  @Get()
  @ApiOkResponse({ type: WebhookEndpointListView, description: "The key's organisation's endpoints, without their secrets." })
  @ApiErrors(ORGANISATION_ONLY)
  async list(@CurrentPrincipal() principal: Principal): Promise<WebhookEndpointListView> {
    return { endpoints: await this.webhooks.list(principal) };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted, with its delivery log; nothing more is sent to it.' })
  @ApiErrors(400, ORGANISATION_ONLY, NOT_FOUND)
  remove(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<void> {
    return this.webhooks.remove(principal, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOkResponse({ type: RotatedSecretView, description: 'A new secret, shown this once. For 24 hours every webhook carries signatures by both the new and the previous secret; then the new one alone.' })
  @ApiErrors(400, ORGANISATION_ONLY, NOT_FOUND)
  rotate(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<RotatedSecretView> {
    return this.webhooks.rotateSecret(principal, id);
  }

  @Post(':id/enable')
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookEndpointView, description: 'Enabled again after being disabled; deliveries left pending are sent again, in order.' })
  @ApiErrors(400, ORGANISATION_ONLY, NOT_FOUND)
  enable(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<WebhookEndpointView> {
    return this.webhooks.enable(principal, id);
  }

  @Get(':id/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryListView, description: 'The latest deliveries, newest first, each with every attempt: when, the status or the error, how long.' })
  @ApiErrors(400, ORGANISATION_ONLY, NOT_FOUND)
  async deliveries(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Query() query: DeliveriesQuery): Promise<WebhookDeliveryListView> {
    return { deliveries: await this.webhooks.deliveries(principal, id, query.limit) };
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: WebhookDeliveryView, description: 'Queued to be sent again with the same webhook-id and a fresh retry schedule.' })
  @ApiErrors(400, ORGANISATION_ONLY, {
    404: 'WEBHOOK_ENDPOINT_NOT_FOUND, WEBHOOK_DELIVERY_NOT_FOUND',
    409: 'DELIVERY_PENDING (still being tried), ENDPOINT_DISABLED (enable it first)',
  })
  replay(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Param('deliveryId', UuidParam) deliveryId: string): Promise<WebhookDeliveryView> {
    return this.webhooks.replay(principal, id, deliveryId);
  }
}
