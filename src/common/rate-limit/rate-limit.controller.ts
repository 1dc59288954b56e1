import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { ApiKeys } from '../auth/api-keys';
import { RequireScope } from '../auth/auth.decorators';
import { notFound } from '../errors/app-error';
import { ApiErrors, BODY_ERRORS } from '../http/openapi';
import { UuidParam } from '../http/validation';
import { RateLimiter } from './rate-limiter';

export class RateLimitDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 100_000, example: 50, description: 'Requests a key may make at once.' })
  @IsInt()
  @Min(1)
  @Max(100_000)
  burst: number;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 1_000_000, example: 300, description: 'Requests a minute a key may keep up.' })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  perMinute: number;
}

export class RateLimitView extends RateLimitDto {
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ['organisation', 'default'], description: "Whether the organisation has limits of its own or the service's defaults." }) source: 'organisation' | 'default';
}

// Each instance reads an organisation's limits with its key (AuthGuard) and caches them with
// it: a change is announced to every instance, as a revocation is.
@ApiTags('organisations')
@ApiBearerAuth()
@RequireScope('admin')
@Controller('v1/organisations/:id/rate-limit')
export class RateLimitController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly limiter: RateLimiter,
    private readonly apiKeys: ApiKeys,
  ) {}

  @Get()
  @ApiOkResponse({ type: RateLimitView, description: "The limits on each of the organisation's API keys." })
  @ApiErrors(400, { 404: 'ORGANISATION_NOT_FOUND' })
  async get(@Param('id', UuidParam) id: string): Promise<RateLimitView> {
    const [row] = await this.dataSource.query('SELECT o.id, r.burst, r.per_minute FROM organisations o LEFT JOIN rate_limits r ON r.organisation_id = o.id WHERE o.id = $1', [id]);
    if (!row) throw notFound('organisation', id);
    return row.burst === null ? { organisationId: id, ...this.limiter.defaults, source: 'default' } : { organisationId: id, burst: row.burst, perMinute: row.per_minute, source: 'organisation' };
  }

  @Put()
  @ApiOkResponse({ type: RateLimitView, description: 'Set; every instance applies it from the next request.' })
  @ApiErrors(...BODY_ERRORS, { 404: 'ORGANISATION_NOT_FOUND' })
  async set(@Param('id', UuidParam) id: string, @Body() dto: RateLimitDto): Promise<RateLimitView> {
    const rows = await this.dataSource.query(
      `INSERT INTO rate_limits (organisation_id, burst, per_minute) SELECT id, $2, $3 FROM organisations WHERE id = $1
       ON CONFLICT (organisation_id) DO UPDATE SET burst = excluded.burst, per_minute = excluded.per_minute, updated_at = now()
       RETURNING organisation_id`,
      [id, dto.burst, dto.perMinute],
    );
    if (!rows.length) throw notFound('organisation', id);
    await this.apiKeys.limitsChanged(id);
    return { organisationId: id, burst: dto.burst, perMinute: dto.perMinute, source: 'organisation' };
  }

  @Delete()
  @HttpCode(204)
  @ApiNoContentResponse({ description: "Back to the service's defaults (RATE_LIMIT_BURST, RATE_LIMIT_PER_MINUTE)." })
  @ApiErrors(400, { 404: 'ORGANISATION_NOT_FOUND' })
  async reset(@Param('id', UuidParam) id: string): Promise<void> {
    await this.get(id);
    await this.dataSource.query('DELETE FROM rate_limits WHERE organisation_id = $1', [id]);
    await this.apiKeys.limitsChanged(id);
  }
}
