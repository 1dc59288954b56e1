import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { hashApiKey, newApiKey } from '../common/auth/api-key';
import { AppError, notFound } from '../common/errors/app-error';
import { ApiKeyCreatedView, CreateApiKeyDto, CreateOrganisationDto, OrganisationView } from './dto/partners.dto';
import { ApiKey } from './entities/api-key.entity';
import { Organisation } from './entities/organisation.entity';

@Injectable()
export class PartnersService {
  constructor(
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
  ) {}

  async createOrganisation(dto: CreateOrganisationDto): Promise<OrganisationView> {
    const organisation = await this.organisations.save(this.organisations.create({ id: randomUUID(), name: dto.name, kind: dto.kind }));
    return { id: organisation.id, name: organisation.name, kind: organisation.kind };
  }

  async requireOrganisation(id: string): Promise<Organisation> {
    const organisation = await this.organisations.findOneBy({ id });
    if (!organisation) throw notFound('organisation', id);
    return organisation;
  }

  async createApiKey(organisationId: string, dto: CreateApiKeyDto): Promise<ApiKeyCreatedView> {
    await this.requireOrganisation(organisationId);
    const siteIds = dto.siteIds ?? [];
    if (dto.scopes.includes('sites:manage') !== siteIds.length > 0) {
      throw new AppError(400, 'INVALID_SITES', 'A key with sites:manage names the sites it manages (siteIds), and only such a key does');
    }
    const [{ known }] = await this.keys.query('SELECT count(*)::int AS known FROM sites WHERE id = ANY ($1::uuid[])', [siteIds]);
    if (known !== siteIds.length) throw new AppError(422, 'UNKNOWN_SITE', 'siteIds names a site that does not exist');
    const key = newApiKey();
    const saved = await this.keys.save(this.keys.create({ id: randomUUID(), organisationId, keyHash: hashApiKey(key), scopes: dto.scopes, siteIds, revokedAt: null }));
    return { id: saved.id, key, scopes: saved.scopes, organisationId, siteIds };
  }
}
