import { randomBytes } from 'node:crypto';
import { TestingModule, Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { BookingsService } from '../../src/bookings/bookings.service';
import { CreateBookingDto } from '../../src/bookings/dto/bookings.dto';
import { NIL_UUID, Principal, SCOPES } from '../../src/common/auth/principal';
import { AppConfig, loadConfig } from '../../src/common/config/config';
import { DiariesService } from '../../src/diaries/diaries.service';
import { CreatePatternDto } from '../../src/diaries/dto/diaries.dto';
import { PartnersService } from '../../src/partners/partners.service';
import { CreateSiteDto } from '../../src/sites/dto/sites.dto';
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

export interface ServiceDiary {
  organisationId: string;
  siteId: string;
  adviserId: string;
  adviserIds: string[];
  typeCode: string;
  roomId?: string;
}

/**
 * A diary built through the services, as fixtures.ts createDiary does through HTTP: one
 * provider, a site, a type and advisers sharing one weekly pattern (default MON-FRI
 * 09:00-17:00 from 2027-01-04, 60-minute one-to-ones).
 */
export async function serviceDiary(
  ctx: TestContext,
  options: {
    type?: { durationMinutes?: number; capacity?: number; bufferMinutes?: number };
    site?: Record<string, unknown>;
    pattern?: { weekdays?: string[]; startTime?: string; endTime?: string; validFrom?: string; validTo?: string };
    roomCapacity?: number;
    advisers?: number;
  } = {},
): Promise<ServiceDiary> {
  const id = () => randomBytes(3).toString('hex').toUpperCase();
  const organisation = await ctx.partners.createOrganisation({ name: `Provider ${id()}`, kind: 'provider' });
  const site = await ctx.sites.create({ name: `Site ${id()}`, kind: 'jobcentre', address: '1 High Street, Swindon', postcode: 'SN1 1AA', ...options.site } as CreateSiteDto);
  const typeCode = `T_${id()}`;
  await ctx.diaries.createType({ code: typeCode, name: 'Careers guidance', durationMinutes: 60, capacity: 1, channel: 'face_to_face', bufferMinutes: 0, ...options.type });
  const room = options.roomCapacity ? await ctx.sites.createRoom(site.id, { name: `Room ${id()}`, capacity: options.roomCapacity }) : undefined;
  const adviserIds: string[] = [];
  for (let i = 0; i < (options.advisers ?? 1); i++) {
    const adviser = await ctx.diaries.createAdviser({ name: 'Alex Adviser', email: `Alex.${id()}@Careers.Example`, organisationId: organisation.id, appointmentTypes: [typeCode] });
    await ctx.diaries.createPattern(adviser.id, {
      siteId: site.id,
      ...(room && i === 0 ? { roomId: room.id } : {}),
      weekdays: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      startTime: '09:00',
      endTime: '17:00',
      validFrom: '2027-01-04',
      appointmentTypes: [typeCode],
      ...options.pattern,
    } as CreatePatternDto);
    adviserIds.push(adviser.id);
  }
  return { organisationId: organisation.id, siteId: site.id, adviserId: adviserIds[0], adviserIds, typeCode, roomId: room?.id };
}

/** The body of a booking for a slot, as the controller would pass it to BookingsService.book. */
export function serviceBooking(diary: { typeCode: string; siteId: string; adviserId: string }, start: string, reference = `C-${randomBytes(3).toString('hex')}`): CreateBookingDto {
  return {
    appointmentType: diary.typeCode,
    siteId: diary.siteId,
    adviserId: diary.adviserId,
    start,
    customer: { reference, name: 'Sam Taylor', mobile: '07911 123456', email: 'sam@example.com', preferredChannel: 'sms', consentToContact: true },
    referral: { source: 'jcp', referrerName: 'J. Okafor', reason: 'Career change', mandatory: false },
  };
}
