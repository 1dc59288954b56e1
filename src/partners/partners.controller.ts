import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../common/auth/auth.decorators';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { ApiKeyCreatedView, ApiKeyView, CreateApiKeyDto, CreateOrganisationDto, OrganisationView } from './dto/partners.dto';
import { PartnersService } from './partners.service';

@ApiTags('organisations')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('v1/organisations')
export class PartnersController {
  constructor(private readonly partners: PartnersService) {}

  @Post()
  @ApiCreatedResponse({ type: OrganisationView })
  @ApiErrors(...BODY_ERRORS)
  create(@Body() dto: CreateOrganisationDto): Promise<OrganisationView> {
    return this.partners.createOrganisation(dto);
  }

  @Post(':id/api-keys')
  @ApiCreatedResponse({ type: ApiKeyCreatedView, description: 'The key is returned once and stored only as a hash.' })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_SITES: siteIds without sites:manage, or sites:manage without them; EXPIRY_IN_PAST: expiresAt is not in the future',
    404: 'ORGANISATION_NOT_FOUND',
    422: 'UNKNOWN_SITE: a siteIds entry names no site',
  })
  createKey(@Param('id', UuidParam) id: string, @Body() dto: CreateApiKeyDto): Promise<ApiKeyCreatedView> {
    return this.partners.createApiKey(id, dto);
  }

  @Get(':id/api-keys')
  @ApiOkResponse({ type: [ApiKeyView], description: "The organisation's keys, revoked and expired ones included, oldest first; never the secrets." })
  @ApiErrors(400, { 404: 'ORGANISATION_NOT_FOUND' })
  listKeys(@Param('id', UuidParam) id: string): Promise<ApiKeyView[]> {
    return this.partners.listApiKeys(id);
  }

  @Delete(':id/api-keys/:keyId')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked: every API instance refuses the key (401 API_KEY_REVOKED) from this answer on. Revoking it again changes nothing.' })
  @ApiErrors(400, { 404: 'ORGANISATION_NOT_FOUND, API_KEY_NOT_FOUND (none with that id in this organisation)' })
  revokeKey(@Param('id', UuidParam) id: string, @Param('keyId', UuidParam) keyId: string): Promise<void> {
    return this.partners.revokeApiKey(id, keyId);
  }
}
