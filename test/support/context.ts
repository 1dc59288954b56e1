import { TestingModule, Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { BookingsService } from '../../src/bookings/bookings.service';
import { CreateBookingDto } from '../../src/bookings/dto/bookings.dto';
import { NIL_UUID, Principal, SCOPES } from '../../src/common/auth/principal';
import { AppConfig } from '../../src/common/config/config';
import { DiariesService } from '../../src/diaries/diaries.service';
import { CreatePatternDto } from '../../src/diaries/dto/diaries.dto';
import { PartnersService } from '../../src/partners/partners.service';
import { CreateSiteDto } from '../../src/sites/dto/sites.dto';
import { SitesService } from '../../src/sites/sites.service';
import { SlotsService } from '../../src/slots/slots.service';
import { createTestConfig } from './database';
import { DbState } from './db-state';
import { adviserBody, bookingBody, BuiltDiary, Diary, DiaryOptions, organisationBody, patternBody, roomBody, siteBody, typeBody } from './fixtures';

export interface TestContext {
  module: TestingModule;
  config: AppConfig;
  dataSource: DataSource;
  /** A direct connection to the context's database. */
  db: DbState;
  slots: SlotsService;
  bookings: BookingsService;
  diaries: DiariesService;
  sites: SitesService;
  partners: PartnersService;
  close(): Promise<void>;
}

/** A test context as a test file sees it: useTestContext closes it. */
export type Services = Omit<TestContext, 'close'>;

/** The application's services without HTTP, on a fresh migrated database of their own. */
export async function createTestContext(env: Record<string, string> = {}): Promise<TestContext> {
  const { config, drop } = await createTestConfig(env);
  const module = await Test.createTestingModule({ imports: [AppModule.with(config)] }).compile();
  await module.init();
  const db = new DbState(config.DATABASE_URL);
  return {
    module,
    config,
    dataSource: module.get(DataSource),
    db,
    slots: module.get(SlotsService),
    bookings: module.get(BookingsService),
    diaries: module.get(DiariesService),
    sites: module.get(SitesService),
    partners: module.get(PartnersService),
    close: async () => {
      await db.close();
      await module.close();
      await drop();
    },
  };
}

/**
 * Creates a test context (with `env` over the test configuration) before the tests of the
 * enclosing describe block and closes it after them. The object returned stands for the
 * context: read it inside tests and hooks, as it throws while the block is being defined.
 */
export function useTestContext(env: Record<string, string> = {}): Services {
  let ctx: TestContext | undefined;
  beforeAll(async () => {
    ctx = await createTestContext(env);
  });
  afterAll(() => ctx?.close());
  return new Proxy({} as Services, {
    get(_, key) {
      if (!ctx) throw new Error('useTestContext: the context is made in beforeAll; use it inside tests and hooks');
      return ctx[key as keyof Services];
    },
  });
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

/** The diary fixtures.ts createDiary builds through HTTP, built through the services from the same defaults. */
export async function serviceDiary(ctx: Services, options: DiaryOptions = {}): Promise<BuiltDiary> {
  const organisation = await ctx.partners.createOrganisation(organisationBody());
  const site = await ctx.sites.create(siteBody(options.site) as CreateSiteDto);
  const type = typeBody(options.type);
  await ctx.diaries.createType(type);
  const typeCode = type.code;
  const room = options.roomCapacity ? await ctx.sites.createRoom(site.id, roomBody(options.roomCapacity)) : undefined;
  const adviserIds: string[] = [];
  for (let i = 0; i < (options.advisers ?? 1); i++) {
    const adviser = await ctx.diaries.createAdviser(adviserBody(organisation.id, [typeCode]));
    const pattern = patternBody({ siteId: site.id, roomId: i === 0 ? room?.id : undefined, appointmentTypes: [typeCode], ...options.pattern });
    await ctx.diaries.createPattern(adviser.id, pattern as CreatePatternDto);
    adviserIds.push(adviser.id);
  }
  return { organisationId: organisation.id, siteId: site.id, adviserId: adviserIds[0], adviserIds, typeCode, roomId: room?.id };
}

/** fixtures.ts bookingBody as the controller would pass it to BookingsService.book (its customer's mobile may be deleted). */
export const serviceBooking = (diary: Diary, start: string, reference?: string): CreateBookingDto => bookingBody(diary, start, reference);
