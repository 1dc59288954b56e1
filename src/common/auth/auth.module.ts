import { Global, Module } from '@nestjs/common';
import { ApiKeys } from './api-keys';

// Global: the AuthGuard, provided by the root module, reads keys through it, and partners revoke through it.
@Global()
@Module({ providers: [ApiKeys], exports: [ApiKeys] })
export class AuthModule {}
