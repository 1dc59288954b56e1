import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { RequireScope } from '../common/auth/auth.decorators';
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
  create(@Body() dto: CreateOrganisationDto): Promise<OrganisationView> {
    return this.partners.createOrganisation(dto);
  }

  @Post(':id/api-keys')
  @ApiCreatedResponse({ type: ApiKeyCreatedView, description: 'The key is returned once and stored only as a hash.' })
  createKey(@Param('id', UuidParam) id: string, @Body() dto: CreateApiKeyDto): Promise<ApiKeyCreatedView> {
    return this.partners.createApiKey(id, dto);
  }
}
