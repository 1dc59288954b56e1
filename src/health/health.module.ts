import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { RedisProbe } from './redis.probe';

@Module({ controllers: [HealthController], providers: [RedisProbe] })
export class HealthModule {}
