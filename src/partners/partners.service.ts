import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { hashApiKey, newApiKey } from '../common/auth/api-key';
import { ApiKeys } from '../common/auth/api-keys';
import { expiryProblem, keyStatus } from '../common/auth/key-lifecycle';
import { AppError, notFound } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { parseInstant } from '../common/time/local-time';
import { ApiKeyCreatedView, ApiKeyView, CreateApiKeyDto, CreateOrganisationDto, OrganisationView } from './dto/partners.dto';
import { ApiKey } from './entities/api-key.entity';
import { Organisation } from './entities/organisation.entity';

@Injectable()
export class PartnersService {
  constructor(
    @InjectRepository(Organisation) private readonly organisations: Repository<Organisation>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    private readonly apiKeys: ApiKeys,
    private readonly clock: Clock,
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
    const now = this.clock.now();
    const expiresAt = dto.expiresAt === undefined ? null : parseInstant(dto.expiresAt)!;
    if (expiresAt !== null && expiryProblem(expiresAt, now)) throw new AppError(400, 'EXPIRY_IN_PAST', 'expiresAt must be in the future');
    const siteIds = dto.siteIds ?? [];
    if (dto.scopes.includes('sites:manage') !== siteIds.length > 0) {
      throw new AppError(400, 'INVALID_SITES', 'A key with sites:manage names the sites it manages (siteIds), and only such a key does');
    }
    const [{ known }] = await this.keys.query('SELECT count(*)::int AS known FROM sites WHERE id = ANY ($1::uuid[])', [siteIds]);
    if (known !== siteIds.length) throw new AppError(422, 'UNKNOWN_SITE', 'siteIds names a site that does not exist');
    const key = newApiKey();
    const saved = await this.keys.save(
      this.keys.create({ id: randomUUID(), organisationId, keyHash: hashApiKey(key), scopes: dto.scopes, siteIds, createdAt: new Date(now), expiresAt: expiresAt === null ? null : new Date(expiresAt), revokedAt: null }),
    );
    return { id: saved.id, key, scopes: saved.scopes, organisationId, siteIds, expiresAt: saved.expiresAt?.toISOString() ?? null };
  }

  async listApiKeys(organisationId: string): Promise<ApiKeyView[]> {
    await this.requireOrganisation(organisationId);
    const keys = await this.keys.find({ where: { organisationId }, order: { createdAt: 'ASC', id: 'ASC' } });
    const now = this.clock.now();
    return keys.map((k) => ({
      id: k.id,
      organisationId: k.organisationId,
      scopes: k.scopes,
      siteIds: k.siteIds,
      status: keyStatus({ expiresAt: k.expiresAt?.getTime() ?? null, revokedAt: k.revokedAt?.getTime() ?? null }, now),
      createdAt: k.createdAt.toISOString(),
      expiresAt: k.expiresAt?.toISOString() ?? null,
      lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
      revokedAt: k.revokedAt?.toISOString() ?? null,
    }));
  }

  /** Revokes the key on every API instance before answering. Revoking a revoked key changes nothing. */
  async revokeApiKey(organisationId: string, keyId: string): Promise<void> {
    await this.requireOrganisation(organisationId);
    // TypeORM answers an UPDATE as [rows, count].
    const [, count]: [unknown[], number] = await this.keys.query(`UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3) WHERE id = $2 AND organisation_id = $1`, [
      organisationId,
      keyId,
      this.clock.date(),
    ]);
    if (count === 0) throw notFound('API key', keyId);
    await this.apiKeys.revoked(keyId);
  }
}
