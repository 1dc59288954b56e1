import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../common/config/config';

@Injectable()
export class RedisProbe implements OnModuleDestroy {
  private client: Redis | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async check(): Promise<{ status: string; error?: string }> {
    if (this.config.QUEUE_BACKEND === 'postgres') return { status: 'not used' };
    // Fail fast rather than queue commands while Redis is away: health must answer promptly.
    this.client ??= new Redis(this.config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000 });
    try {
      if (this.client.status === 'wait' || this.client.status === 'end') await this.client.connect();
      await this.client.ping();
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    }
  }

  async onModuleDestroy() {
    this.client?.disconnect();
  }
}
