import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG, AppConfig } from '../common/config/config';

@Injectable()
export class RedisProbe implements OnModuleDestroy {
  private client: Redis | null = null;
  private connecting: Promise<void> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Resolves if Redis answers a PING; rejects with the reason otherwise. */
  async ping(): Promise<void> {
    // Fail fast rather than queue commands while Redis is away: health must answer promptly.
    this.client ??= new Redis(this.config.REDIS_URL, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000 });
    // One connect for probes that come together: without an offline queue, a ping sent while it is under way fails.
    if (this.client.status === 'wait' || this.client.status === 'end') this.connecting ??= this.client.connect().finally(() => (this.connecting = null));
    if (this.connecting) await this.connecting;
    await this.client.ping();
  }

  async onModuleDestroy() {
    this.client?.disconnect();
  }
}
