import { Global, Module } from '@nestjs/common';
import { RateLimitController } from './rate-limit.controller';
import { RateLimiter } from './rate-limiter';

// Global: the AuthGuard, provided by the root module, takes a token for every keyed request.
@Global()
@Module({ controllers: [RateLimitController], providers: [RateLimiter], exports: [RateLimiter] })
export class RateLimitModule {}
