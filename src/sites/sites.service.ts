import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { RebookingService } from '../bookings/rebooking.service';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError, notFound } from '../common/errors/app-error';
import { localDay } from '../common/time/local-time';
import { normaliseArea } from './domain/nearby';
import { ClosureView, CreateClosureDto, CreateRoomDto, CreateSiteDto, RoomView, SiteLocationDto, SiteView } from './dto/sites.dto';
import { Room } from './entities/room.entity';
import { SiteClosure } from './entities/site-closure.entity';
import { Site } from './entities/site.entity';

const normalisePostcode = (postcode: string) => {
  const compact = postcode.replace(/\s+/g, '').toUpperCase();
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
};

export const siteView = (site: Site): SiteView => ({
  id: site.id,
  name: site.name,
  kind: site.kind,
  address: site.address,
  postcode: site.postcode,
  timezone: site.timezone,
  openingHours: site.openingHours,
  minNoticeMinutes: site.minNoticeMinutes,
  bankHolidays: site.bankHolidays,
  area: site.area,
  latitude: site.latitude,
  longitude: site.longitude,
});

/** The location as sent, tidied; a point needs both its coordinates. */
function location(dto: SiteLocationDto): Pick<Site, 'area' | 'latitude' | 'longitude'> {
  const latitude = dto.latitude ?? null;
  const longitude = dto.longitude ?? null;
  if ((latitude === null) !== (longitude === null)) {
    const field = latitude === null ? 'latitude' : 'longitude';
    throw new AppError(400, 'VALIDATION_FAILED', `${field}: give latitude and longitude together, or neither`, [{ field, problems: ['give latitude and longitude together, or neither'] }]);
  }
  return { area: dto.area ? normaliseArea(dto.area) : null, latitude, longitude };
}

const roomView = (room: Room): RoomView => ({ id: room.id, siteId: room.siteId, name: room.name, capacity: room.capacity });

@Injectable()
export class SitesService {
  constructor(
    @InjectRepository(Site) private readonly sites: Repository<Site>,
    @InjectRepository(Room) private readonly rooms: Repository<Room>,
    private readonly dataSource: DataSource,
    private readonly rebooking: RebookingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(dto: CreateSiteDto): Promise<SiteView> {
    for (const [day, hours] of Object.entries(dto.openingHours ?? {})) {
      if (hours && hours.close <= hours.open) throw new AppError(400, 'INVALID_OPENING_HOURS', `openingHours.${day}: close must be after open`);
    }
    const site = this.sites.create({
      id: randomUUID(),
      name: dto.name,
      kind: dto.kind,
      address: dto.address,
      postcode: normalisePostcode(dto.postcode),
      timezone: dto.timezone ?? this.config.DEFAULT_TIMEZONE,
      openingHours: dto.openingHours ? { ...dto.openingHours } : null,
      minNoticeMinutes: dto.minNoticeMinutes ?? 0,
      bankHolidays: dto.bankHolidays ?? 'ENG',
      ...location(dto),
    });
    return siteView(await this.sites.save(site));
  }

  async get(id: string): Promise<SiteView> {
    return siteView(await this.requireSite(id));
  }

  /** Replaces where the site is: what is left out is cleared. */
  async setLocation(id: string, dto: SiteLocationDto): Promise<SiteView> {
    const values = location(dto);
    const site = await this.requireSite(id);
    return siteView(await this.sites.save(Object.assign(site, values)));
  }

  async list(): Promise<SiteView[]> {
    return (await this.sites.find({ order: { name: 'ASC' } })).map(siteView);
  }

  async requireSite(id: string): Promise<Site> {
    const site = await this.sites.findOneBy({ id });
    if (!site) throw notFound('site', id);
    return site;
  }

  async createRoom(siteId: string, dto: CreateRoomDto): Promise<RoomView> {
    await this.requireSite(siteId);
    if (await this.rooms.existsBy({ siteId, name: dto.name })) throw new AppError(409, 'ROOM_EXISTS', `The site already has a room called "${dto.name}"`);
    return roomView(await this.rooms.save(this.rooms.create({ id: randomUUID(), siteId, name: dto.name, capacity: dto.capacity })));
  }

  async listRooms(siteId: string): Promise<RoomView[]> {
    await this.requireSite(siteId);
    return (await this.rooms.find({ where: { siteId }, order: { name: 'ASC' } })).map(roomView);
  }

  /**
   * Shuts a site for a local day. Bookings already on that day are kept and flagged for
   * rebooking: somebody has to tell those customers, so they must not vanish.
   */
  async createClosure(siteId: string, dto: CreateClosureDto): Promise<ClosureView> {
    return this.dataSource.transaction(async (manager) => {
      // Holds, bookings and reschedules lock the site FOR SHARE, so none can slip in while the day is being shut.
      const [site] = await manager.query('SELECT timezone FROM sites WHERE id = $1 FOR NO KEY UPDATE', [siteId]);
      if (!site) throw notFound('site', siteId);
      const existing = await manager.findOneBy(SiteClosure, { siteId, date: dto.date });
      if (existing) throw new AppError(409, 'CLOSURE_EXISTS', `The site is already closed on ${dto.date}`);
      const closure = await manager.save(manager.create(SiteClosure, { id: randomUUID(), siteId, date: dto.date, reason: dto.reason }));
      const affectedBookings = await this.rebooking.flag(manager, { siteId }, localDay(site.timezone, dto.date), { closureId: closure.id });
      return { id: closure.id, siteId, date: closure.date, reason: closure.reason, affectedBookings };
    });
  }
}
