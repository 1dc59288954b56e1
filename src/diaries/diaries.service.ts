import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { RebookingService } from '../bookings/rebooking.service';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { AppError, notFound } from '../common/errors/app-error';
import { formatInstant, requestBound, WEEKDAYS } from '../common/time/local-time';
import { patternsOverlap } from './domain/availability';
import {
  AdviserView,
  AppointmentTypeView,
  CreateAdviserDto,
  CreateAppointmentTypeDto,
  CreateExceptionDto,
  CreatePatternDto,
  ExceptionView,
  PatternView,
} from './dto/diaries.dto';
import { Adviser } from './entities/adviser.entity';
import { AppointmentType } from './entities/appointment-type.entity';
import { DiaryPatternEntity } from './entities/diary-pattern.entity';

const typeView = (t: AppointmentType): AppointmentTypeView => ({
  id: t.id,
  code: t.code,
  name: t.name,
  durationMinutes: t.durationMinutes,
  capacity: t.capacity,
  channel: t.channel,
  bufferMinutes: t.bufferMinutes,
  description: t.description,
  whatToBring: t.whatToBring,
});

const adviserView = (a: Adviser): AdviserView => ({
  id: a.id,
  name: a.name,
  email: a.email,
  organisationId: a.organisationId,
  appointmentTypes: a.appointmentTypes.map((t) => t.code).sort(),
});

// PostgreSQL returns time columns as HH:mm:ss; the API speaks HH:mm.
const hhmm = (time: string) => time.slice(0, 5);

const patternView = (p: DiaryPatternEntity): PatternView => ({
  id: p.id,
  adviserId: p.adviserId,
  siteId: p.siteId,
  roomId: p.roomId,
  weekdays: [...p.weekdays].sort().map((d) => WEEKDAYS[d - 1]),
  startTime: hhmm(p.startTime),
  endTime: hhmm(p.endTime),
  validFrom: p.validFrom,
  validTo: p.validTo,
  appointmentTypes: p.appointmentTypes,
});

@Injectable()
export class DiariesService {
  constructor(
    @InjectRepository(AppointmentType) private readonly types: Repository<AppointmentType>,
    @InjectRepository(Adviser) private readonly advisers: Repository<Adviser>,
    @InjectRepository(DiaryPatternEntity) private readonly patterns: Repository<DiaryPatternEntity>,
    private readonly dataSource: DataSource,
    private readonly rebooking: RebookingService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async createType(dto: CreateAppointmentTypeDto): Promise<AppointmentTypeView> {
    if (await this.types.existsBy({ code: dto.code })) throw new AppError(409, 'APPOINTMENT_TYPE_EXISTS', `Appointment type ${dto.code} already exists`);
    return typeView(await this.types.save(this.types.create({ id: randomUUID(), ...dto, bufferMinutes: dto.bufferMinutes ?? 0, description: dto.description ?? null, whatToBring: dto.whatToBring ?? null })));
  }

  async listTypes(): Promise<AppointmentTypeView[]> {
    return (await this.types.find({ order: { code: 'ASC' } })).map(typeView);
  }

  private async requireTypes(codes: string[]): Promise<AppointmentType[]> {
    const found = await this.types.findBy({ code: In(codes) });
    const missing = codes.filter((code) => !found.some((t) => t.code === code));
    if (missing.length) throw new AppError(422, 'UNKNOWN_APPOINTMENT_TYPE', `No appointment type with code ${missing.join(', ')}`);
    return found;
  }

  async createAdviser(dto: CreateAdviserDto): Promise<AdviserView> {
    const [organisation] = await this.dataSource.query('SELECT 1 FROM organisations WHERE id = $1', [dto.organisationId]);
    if (!organisation) throw new AppError(422, 'UNKNOWN_ORGANISATION', `No organisation with id ${dto.organisationId}`);
    const appointmentTypes = await this.requireTypes(dto.appointmentTypes);
    const adviser = this.advisers.create({ id: randomUUID(), name: dto.name, email: dto.email.toLowerCase(), organisationId: dto.organisationId, appointmentTypes });
    return adviserView(await this.advisers.save(adviser));
  }

  async getAdviser(id: string): Promise<AdviserView> {
    const adviser = await this.advisers.findOne({ where: { id }, relations: { appointmentTypes: true } });
    if (!adviser) throw notFound('adviser', id);
    return adviserView(adviser);
  }

  /**
   * Adds a weekly pattern. An adviser cannot be in two patterns at once, nor can two
   * patterns share a room at the same time; both are checked under row locks on the
   * adviser and the room, so two concurrent requests cannot both pass.
   */
  async createPattern(adviserId: string, dto: CreatePatternDto): Promise<PatternView> {
    if (dto.endTime <= dto.startTime) throw new AppError(400, 'INVALID_TIMES', 'endTime must be after startTime');
    if (dto.validTo && dto.validTo < dto.validFrom) throw new AppError(400, 'INVALID_PERIOD', 'validTo must not be before validFrom');
    const adviser = await this.getAdviser(adviserId);
    const undelivered = dto.appointmentTypes.filter((code) => !adviser.appointmentTypes.includes(code));
    if (undelivered.length) throw new AppError(422, 'ADVISER_DOES_NOT_DELIVER', `The adviser does not deliver ${undelivered.join(', ')}`);
    const candidate = {
      weekdays: dto.weekdays.map((d) => WEEKDAYS.indexOf(d) + 1),
      startTime: dto.startTime,
      endTime: dto.endTime,
      validFrom: dto.validFrom,
      validTo: dto.validTo ?? null,
    };
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM advisers WHERE id = $1 FOR NO KEY UPDATE', [adviserId]);
      const [site] = await manager.query('SELECT 1 FROM sites WHERE id = $1', [dto.siteId]);
      if (!site) throw new AppError(422, 'UNKNOWN_SITE', `No site with id ${dto.siteId}`);
      if (dto.roomId) {
        const [room] = await manager.query('SELECT site_id FROM rooms WHERE id = $1 FOR NO KEY UPDATE', [dto.roomId]);
        if (!room || room.site_id !== dto.siteId) throw new AppError(422, 'UNKNOWN_ROOM', `The site has no room with id ${dto.roomId}`);
      }
      const others = await manager.find(DiaryPatternEntity, {
        where: dto.roomId ? [{ adviserId }, { roomId: dto.roomId }] : { adviserId },
      });
      for (const other of others) {
        if (!patternsOverlap(candidate, { ...other, startTime: hhmm(other.startTime), endTime: hhmm(other.endTime) })) continue;
        if (other.adviserId === adviserId) {
          throw new AppError(409, 'PATTERN_OVERLAP', `The adviser is already in pattern ${other.id} at those times`, { patternId: other.id });
        }
        throw new AppError(409, 'ROOM_CLASH', `The room is already used by pattern ${other.id} at those times`, { patternId: other.id });
      }
      const saved = await manager.save(manager.create(DiaryPatternEntity, { id: randomUUID(), adviserId, siteId: dto.siteId, roomId: dto.roomId ?? null, ...candidate, appointmentTypes: dto.appointmentTypes }));
      return patternView(saved);
    });
  }

  async listPatterns(adviserId: string): Promise<PatternView[]> {
    await this.getAdviser(adviserId);
    return (await this.patterns.find({ where: { adviserId }, order: { validFrom: 'ASC', startTime: 'ASC' } })).map(patternView);
  }

  /**
   * Records leave, sickness or training. Bookings inside it are kept and flagged for
   * rebooking, and returned, so that whoever records the absence can act on them.
   */
  async createException(adviserId: string, dto: CreateExceptionDto): Promise<ExceptionView> {
    const start = requestBound(dto.from, this.config.DEFAULT_TIMEZONE, 'start');
    const end = requestBound(dto.to, this.config.DEFAULT_TIMEZONE, 'end');
    if (end <= start) throw new AppError(400, 'INVALID_PERIOD', '"to" must be after "from"');
    return this.dataSource.transaction(async (manager) => {
      const [adviser] = await manager.query('SELECT 1 FROM advisers WHERE id = $1 FOR NO KEY UPDATE', [adviserId]);
      if (!adviser) throw notFound('adviser', adviserId);
      const id = randomUUID();
      await manager.query(
        `INSERT INTO diary_exceptions (id, adviser_id, period, kind, note) VALUES ($1, $2, tstzrange($3, $4, '[)'), $5, $6)`,
        [id, adviserId, new Date(start), new Date(end), dto.kind, dto.note ?? null],
      );
      const affectedBookings = await this.rebooking.flag(manager, { adviserId }, { start, end }, { absenceId: id });
      const zone = this.config.DEFAULT_TIMEZONE;
      return { id, adviserId, from: formatInstant(start, zone), to: formatInstant(end, zone), kind: dto.kind, note: dto.note ?? null, affectedBookings };
    });
  }
}
