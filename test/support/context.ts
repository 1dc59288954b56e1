import { TestingModule, Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { BookingsService } from '../../src/bookings/bookings.service';
import { NIL_UUID, Principal, SCOPES } from '../../src/common/auth/principal';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { DiariesService } from '../../src/diaries/diaries.service';
import { PartnersService } from '../../src/partners/partners.service';
import { SitesService } from '../../src/sites/sites.service';
import { SlotsService } from '../../src/slots/slots.service';
import { ADMIN_KEY } from './app';
import { createTestDatabase } from './database';

export interface TestContext {
  module: TestingModule;
  config: AppConfig;
  dataSource: DataSource;
  slots: SlotsService;
  bookings: BookingsService;
  diaries: DiariesService;
  sites: SitesService;
  partners: PartnersService;
  close(): Promise<void>;
}

/** The application's services without HTTP, on a fresh migrated database of their own. */
export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const db = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: db.url, ADMIN_API_KEY: ADMIN_KEY, PORT: '0', LOG_LEVEL: 'error', ...env });
  const module = await Test.createTestingModule({ imports: [AppModule.with(config)] }).compile();
  await module.init();
  return {
    module,
    config,
    dataSource: module.get(DataSource),
    slots: module.get(SlotsService),
    bookings: module.get(BookingsService),
    diaries: module.get(DiariesService),
    sites: module.get(SitesService),
    partners: module.get(PartnersService),
    close: async () => {
      await module.close();
      await db.drop();
    },
  };
}

/** The bootstrap admin, as the auth guard would describe it. */
export const ADMIN: Principal = { clientId: NIL_UUID, organisationId: null, scopes: new Set(SCOPES), admin: true };

/** A partner organisation's key, as the auth guard would describe it. */
export const partnerPrincipal = (organisationId: string): Principal => ({
  clientId: organisationId,
  organisationId,
  scopes: new Set(['slots:read', 'bookings:write']),
  admin: false,
});
