import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../common/auth/auth.decorators';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { ApiKeyCreatedView, CreateApiKeyDto, CreateOrganisationDto, OrganisationView } from './dto/partners.dto';
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
  @ApiErrors(...BODY_ERRORS, { 404: 'ORGANISATION_NOT_FOUND', 422: 'UNKNOWN_SITE: a siteIds entry names no site' })
  createKey(@Param('id', UuidParam) id: string, @Body() dto: CreateApiKeyDto): Promise<ApiKeyCreatedView> {
    return this.partners.createApiKey(id, dto);
  }
}
