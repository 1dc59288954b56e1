import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../common/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { RedisProbe } from './redis.probe';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisProbe,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @ApiOkResponse({ description: 'Everything is up.', schema: { example: { status: 'ok', database: { status: 'up' }, redis: { status: 'up' }, queueBackend: 'redis' } } })
  @ApiServiceUnavailableResponse({ description: 'A dependency the service needs is down.' })
  async check(@Res({ passthrough: true }) response: Response) {
    const database = await this.dataSource
      .query('SELECT 1')
      .then(() => ({ status: 'up' }))
      .catch((error: Error) => ({ status: 'down', error: error.message }));
    const redis = await this.redis.check();
    // Redis is only needed when it carries the queues.
    const needed = [database, ...(this.config.QUEUE_BACKEND === 'redis' ? [redis] : [])];
    const ok = needed.every((d) => d.status === 'up');
    response.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', database, redis, queueBackend: this.config.QUEUE_BACKEND };
  }
}
