import { ApiProperty } from '@nestjs/swagger';

export class DependencyView {
  @ApiProperty({ enum: ['up', 'down'], description: 'Only up or down: why is in the service log.' }) status: 'up' | 'down';
}

export class RedisDependencyView {
  @ApiProperty({ enum: ['up', 'down', 'not used'], description: "'not used' when the queues run on PostgreSQL." }) status: 'up' | 'down' | 'not used';
}

export class HealthView {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status: 'ok' | 'degraded';
  @ApiProperty({ type: DependencyView }) database: DependencyView;
  @ApiProperty({ type: RedisDependencyView }) redis: RedisDependencyView;
  @ApiProperty({ enum: ['redis', 'postgres'], description: 'Where the reminder queues live (QUEUE_BACKEND).' }) queueBackend: 'redis' | 'postgres';
}
