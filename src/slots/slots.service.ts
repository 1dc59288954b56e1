import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ExtraSeats } from '../common/admission/extra-seats';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../common/time/clock';
import { DAY, formatInstant, localDateOf, MINUTE, requestBound } from '../common/time/local-time';
import { fullSessions } from './domain/full-sessions';
import { Interval } from '../diaries/domain/availability';
import { checkSlot, earliestSlots, generateSlots, Slot, SLOT_ALIGNMENT_MINUTES, slotCapacity, SlotQuery } from './domain/slots';
import { Diary, DiaryLoader } from './diary.loader';
import { SlotSearchQuery, SlotView } from './dto/slots.dto';

const DEFAULT_SEARCH_DAYS = 14;
// Each full slot quoted costs a few statements; a work coach picks from the first few.
const OVERBOOK_QUOTES = 20;
const ALIGN = SLOT_ALIGNMENT_MINUTES * MINUTE;

/**
 * How far to read the diary for a search that wants `limit` slots: a day, then four, then
 * sixteen... and at last the whole range. The earliest ten at fifty sites are nearly always
 * on the first day, so the diary of the weeks after it is never read; a search that finds
 * too few reads again further (over a fortnight, 19 days read in all rather than 14).
 */
export function searchHorizons(range: Interval, limit: number): number[] {
  if (limit === Infinity) return [range.end];
  const horizons: number[] = [];
  for (let days = 1; range.start + days * DAY < range.end; days *= 4) horizons.push(range.start + days * DAY);
  return [...horizons, range.end];
}

@Injectable()
export class SlotsService {
  constructor(
    private readonly loader: DiaryLoader,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly dataSource: DataSource,
    private readonly extraSeats: ExtraSeats,
  ) {}

  private view(slot: Slot, diary: Diary, overbookRisk: number | null = null): SlotView {
    const zone = diary.sites.get(slot.siteId)!.timezone;
    return {
      siteId: slot.siteId,
      adviserId: slot.adviserId,
      roomId: slot.roomId,
      start: formatInstant(slot.start, zone),
      end: formatInstant(slot.end, zone),
      capacity: slot.capacity,
      remaining: slot.remaining,
      overbook: overbookRisk !== null,
      overbookRisk,
    };
  }

  /** `clientId`: whose customers a customerReference names. */
  async search(query: SlotSearchQuery, now = this.clock.now(), clientId?: string): Promise<SlotView[]> {
    if (!query.siteId?.length && !query.adviserId?.length && !query.nearSiteId) throw new AppError(400, 'SEARCH_TOO_BROAD', 'Give at least one siteId, nearSiteId or adviserId');
    const start = query.from ? requestBound(query.from, this.config.DEFAULT_TIMEZONE, 'start') : now;
    const end = query.to ? requestBound(query.to, this.config.DEFAULT_TIMEZONE, 'end') : start + DEFAULT_SEARCH_DAYS * DAY;
    if (end <= start) throw new AppError(400, 'INVALID_RANGE', '"to" must be after "from"');
    if (end - start > this.config.MAX_SEARCH_DAYS * DAY) throw new AppError(400, 'RANGE_TOO_LARGE', `Search at most ${this.config.MAX_SEARCH_DAYS} days at a time`);
    const siteIds = query.nearSiteId ? [...new Set([...(query.siteId ?? []), ...(await this.loader.sitesNear(query.nearSiteId, this.config.NEAR_KM))])] : query.siteId;
    const range = { start: Math.max(start, now), end };
    if (range.end <= range.start) return [];
    const limit = query.limit ?? Infinity;
    const horizons = searchHorizons(range, limit);
    for (const until of horizons) {
      const part = { start: range.start, end: until };
      const diary = await this.loader.load({ typeCode: query.appointmentType, siteIds, adviserIds: query.adviserId, range: part, now });
      const slotQuery = { ...diary, range: part, earliestStart: (siteId: string) => now + diary.sites.get(siteId)!.minNoticeMinutes * MINUTE };
      const free = (limit === Infinity ? generateSlots(slotQuery) : earliestSlots(slotQuery, limit)).map((slot) => this.view(slot, diary));
      // Slots are generated the same whatever the range's end, so a part that already has
      // `limit` of them has the earliest of the whole range.
      if (free.length < limit && until < range.end) continue;
      if (free.length >= limit || query.customerReference === undefined || clientId === undefined) return free;
      return [...free, ...(await this.extras(slotQuery, diary, { clientId, reference: query.customerReference }, now))].slice(0, limit);
    }
    throw new Error(`unreachable: the last horizon is the range's end (${horizons.length} horizons)`);
  }

  /** Full sessions the customer would be admitted into as an extra, with the risk each would make. */
  private async extras(slotQuery: SlotQuery, diary: Diary, customer: { clientId: string; reference: string }, now: number): Promise<SlotView[]> {
    const full = fullSessions(slotQuery).slice(0, OVERBOOK_QUOTES);
    const quotes = await this.extraSeats.quote(
      this.dataSource.manager,
      customer,
      full.map((s) => ({ sessionId: s.id, siteId: s.siteId, appointmentTypeId: diary.type.id, start: new Date(s.start) })),
      now,
    );
    return full
      .filter((s) => quotes.has(s.id))
      .map((s) => this.view({ siteId: s.siteId, adviserId: s.adviserId, roomId: s.roomId, start: s.start, end: s.end, capacity: s.capacity, remaining: 0, sessionId: s.id }, diary, quotes.get(s.id)!));
  }

  /** The sites near a site (itself first): of its area, or within NEAR_KM of it. */
  sitesNear(siteId: string): Promise<string[]> {
    return this.loader.sitesNear(siteId, this.config.NEAR_KM);
  }

  /**
   * Who can see a walk-over referral now: advisers at the site whose diary has room for a
   * session starting at the next five-minute mark, clear of anything already booked.
   */
  async freeNow(siteId: string, typeCode: string, now = this.clock.now()): Promise<SlotView[]> {
    const slots = await this.freeNowAt([siteId], typeCode, now);
    if (!slots.length) await this.loader.requireSite(siteId);
    return slots;
  }

  /** freeNow at several sites at once (one read of their diaries), by site in the order given. */
  async freeNowAt(siteIds: string[], typeCode: string, now = this.clock.now()): Promise<SlotView[]> {
    const start = Math.ceil(now / ALIGN) * ALIGN;
    const diary = await this.loader.load({ typeCode, siteIds, range: { start: now - DAY, end: now + DAY }, now });
    const slots: Slot[] = [];
    for (const siteId of siteIds) {
      const site = diary.sites.get(siteId);
      if (!site || localDateOf(start, site.timezone) !== localDateOf(now, site.timezone)) continue;
      const earliestStart = now + site.minNoticeMinutes * MINUTE;
      const windows = diary.windows.filter((w) => w.siteId === siteId);
      for (const adviserId of new Set(windows.map((w) => w.adviserId))) {
        const check = checkSlot({ start, type: diary.type, windows: windows.filter((w) => w.adviserId === adviserId), sessions: diary.sessions, earliestStart, overlapMinutes: diary.overlapMinutes });
        if (!check.ok || check.join) continue;
        const capacity = slotCapacity(diary.type, check.window.roomId, diary.roomCapacities);
        slots.push({ siteId, adviserId, roomId: check.window.roomId, start, end: start + diary.type.durationMinutes * MINUTE, capacity, remaining: capacity, sessionId: null });
      }
    }
    return slots.map((slot) => this.view(slot, diary));
  }
}
