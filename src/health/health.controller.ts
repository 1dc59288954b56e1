import { Controller, Get, Inject, Logger, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { OUTAGE_RETRY_AFTER_SECONDS } from '../common/errors/error.filter';
import { HealthView } from './health.dto';
import { RedisProbe } from './redis.probe';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisProbe,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @ApiOkResponse({ description: 'Everything is up.', type: HealthView, example: { status: 'ok', database: { status: 'up' }, redis: { status: 'up' }, queueBackend: 'redis' } })
  @ApiServiceUnavailableResponse({
    description: 'A dependency the service needs is down (why is in the service log); ask again after Retry-After seconds.',
    headers: { 'Retry-After': { description: 'Seconds to wait before asking again.', schema: { type: 'integer', minimum: 1 } } },
    type: HealthView,
    example: { status: 'degraded', database: { status: 'up' }, redis: { status: 'down' }, queueBackend: 'redis' },
  })
  async check(@Res({ passthrough: true }) response: Response) {
    const database = await this.probe('PostgreSQL', () => this.dataSource.query('SELECT 1'));
    // Redis is only needed when it carries the queues.
    const redis = this.config.QUEUE_BACKEND === 'redis' ? await this.probe('Redis', () => this.redis.ping()) : { status: 'not used' };
    const ok = database.status === 'up' && redis.status !== 'down';
    response.status(ok ? 200 : 503);
    // As every other answer during an outage says (ErrorFilter), so that one retry policy fits all.
    if (!ok) response.setHeader('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    return { status: ok ? 'ok' : 'degraded', database, redis, queueBackend: this.config.QUEUE_BACKEND };
  }

  // Anyone may call /health, and the drivers' error text names hosts, ports and databases:
  // the caller learns only up or down, the reason goes to the log.
  private async probe(part: string, check: () => Promise<unknown>): Promise<{ status: 'up' | 'down' }> {
    try {
      await check();
      return { status: 'up' };
    } catch (error) {
      this.logger.warn(`${part} is down: ${error instanceof Error ? error.message : String(error)}`);
      return { status: 'down' };
    }
  }
}
