import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource, EntityManager } from 'typeorm';
import { Prospect, ShowEstimates } from '../common/admission/show-estimates';
import { AppError } from '../common/errors/app-error';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { Clock } from '../common/time/clock';
import { runPrepared } from '../common/database/prepared';
import { DAY } from '../common/time/local-time';
import { DEFAULT_REMINDER_DELIVERED_SHARE, reminderDeliveredShare, scoreBooking } from './domain/reminder-expectation';
import { ShowEvaluation, ShowModel, ShowScore, evaluateShowModel, trainShowModel } from './domain/show-model';
import { ShowSignals } from './domain/show-signals';
import { DEFAULT_SHOW_RATE, TrainingRow, trainingSets } from './domain/training-set';
import { refreshRecord, ScoringFacts } from './records';
import { ShowModelView } from './dto/models.dto';

// Two years of history at most, and the most recent million appointments of it: enough for
// every effect the model has, and a bound on the memory a training run takes.
const TRAINING_WINDOW_DAYS = 730;
const TRAINING_ROWS = 1_000_000;
const RETRAIN_EVERY_MS = 24 * 60 * 60_000;
const CACHE_MS = 60_000;
const RESCORE_BATCH = 500;

/** What a stored model carries besides the fitted model itself. */
interface LiveModel {
  version: number | null;
  model: ShowModel;
  siteShowRates: Record<string, number>;
  globalShowRate: number;
  /** Of the training rows' due reminders, the share delivered: what a reminder still to come is worth. */
  reminderDeliveredShare: number;
}

/** The JSON of a show_models row; a model stored before the delivered share was kept has none. */
interface StoredModel {
  model: ShowModel;
  siteShowRates: Record<string, number>;
  globalShowRate: number;
  reminderDeliveredShare?: number;
}

/**
 * The show probability of every booking: scored with the live model when the booking is
 * made and again when a signal arrives (in that change's transaction), and the model itself
 * refitted from recorded and imported outcomes, daily and on request.
 */
// What the show model reads of a booking not yet made, as refreshRecord would answer it once
// made now: nothing is delivered or confirmed yet, a reminder is due or not by the same hours
// ahead, and the referral is taken as the usual one (a jobcentre's, not mandatory) since a
// search does not say.
const PROSPECT_FACTS = `
  SELECT false AS cancelled, NULL AS outcome, s.id AS site_id, 'jcp' AS referral_source, false AS mandatory,
         extract(isodow FROM l.start_local)::int AS weekday, extract(hour FROM l.start_local)::int AS hour,
         greatest(0, l.start_local::date - ($4::timestamptz AT TIME ZONE s.timezone)::date) AS lead_days, 'pending' AS reminder_state,
         (extract(epoch FROM $3::timestamptz - $4::timestamptz) / 3600)::float8 AS hours_ahead,
         t.code, t.channel, false AS confirmed,
         (SELECT count(*) FROM attendance_records p WHERE p.customer_reference = $5 AND p.starts_at < $4 AND p.outcome IN ('attended', 'late', 'left_unseen'))::int AS showed,
         (SELECT count(*) FROM attendance_records p WHERE p.customer_reference = $5 AND p.starts_at < $4 AND p.outcome = 'dna')::int AS missed
    FROM sites s CROSS JOIN appointment_types t CROSS JOIN LATERAL (SELECT $3::timestamptz AT TIME ZONE s.timezone AS start_local) l
   WHERE s.id = $1 AND t.id = $2`;

// show_probability is a real: the stored value, not the double worked out here, is the booking's.
const STORE_SCORE = {
  name: 'bookings.store_score',
  text: 'UPDATE bookings SET show_probability = $2, show_factors = $3, show_model_version = $4 WHERE id = $1 RETURNING show_probability, show_factors',
};

/** A booking's score as stored. */
export interface StoredScore {
  show_probability: number;
  show_factors: { factor: string; effect: number }[];
}

@Injectable()
export class ShowModelService extends ShowEstimates {
  private readonly logger = new Logger(ShowModelService.name);
  private cached: { live: LiveModel; until: number } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super();
  }

  /** The live model; another instance may have trained a newer one, so it is re-read now and then. */
  private async live(db: DataSource | EntityManager = this.dataSource): Promise<LiveModel> {
    const now = this.clock.now();
    if (this.cached && this.cached.until > now) return this.cached.live;
    const [row]: { version: number; model: StoredModel }[] = await db.query('SELECT version, model FROM show_models WHERE live');
    const live: LiveModel = row
      ? { version: row.version, ...row.model, reminderDeliveredShare: row.model.reminderDeliveredShare ?? DEFAULT_REMINDER_DELIVERED_SHARE }
      : { version: null, model: trainShowModel([]).model, siteShowRates: {}, globalShowRate: DEFAULT_SHOW_RATE, reminderDeliveredShare: DEFAULT_REMINDER_DELIVERED_SHARE };
    this.cached = { live, until: now + CACHE_MS };
    return live;
  }

  /**
   * Scores a booking from its record's facts and stores the result on it, answering the
   * columns as stored; a cancelled booking, or one whose outcome is known, keeps what it had.
   */
  async score(manager: EntityManager, bookingId: string, facts: ScoringFacts): Promise<StoredScore | undefined> {
    if (facts.cancelled || facts.outcome !== null) return undefined;
    const live = await this.live(manager);
    const score = scoreOf(facts, live);
    const [stored] = await runPrepared<StoredScore>(manager, STORE_SCORE, [
      bookingId,
      score.probability,
      JSON.stringify(score.factors.map(({ factor, effect }) => ({ factor, effect }))),
      live.version,
    ]);
    return stored;
  }

  async estimate(manager: EntityManager, prospect: Prospect): Promise<number> {
    const [facts]: ScoringFacts[] = await manager.query(PROSPECT_FACTS, [prospect.siteId, prospect.appointmentTypeId, new Date(prospect.start), new Date(prospect.now), prospect.customerReference]);
    const live = await this.live(manager);
    return scoreOf(facts, live).probability;
  }

  async current(): Promise<ShowModelView> {
    const [row] = await this.dataSource.query('SELECT * FROM show_models WHERE live');
    if (!row) throw new AppError(404, 'NO_MODEL', 'No show-probability model has been trained yet; bookings are scored with a typical show rate until one is');
    return modelView(row);
  }

  /** Retrains once a day; an advisory lock keeps instances from training at the same time. */
  @Interval(RETRAIN_EVERY_MS)
  async onSchedule(): Promise<void> {
    if (!this.config.RUN_WORKER) return;
    try {
      const trained = await this.train();
      if (trained) this.logger.log(`Show model ${trained.version} trained (${trained.kind}, AUC ${trained.evaluation?.auc?.toFixed(3) ?? 'n/a'})`);
    } catch (error) {
      this.logger.warn(`Training the show model failed; the live model stays: ${(error as Error).message}`);
    }
  }

  /**
   * Fits a model from every recorded and imported outcome in the training window, judges one
   * fitted on all but the latest fifth against that fifth, stores the model fitted on all of
   * it as the new live version, and rescores the bookings still to come. Returns null when
   * another instance is training at this moment.
   */
  async train(now = this.clock.now()): Promise<ShowModelView | null> {
    const trained = await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtextextended('show-model-training', 0)) AS locked`);
      if (!locked) return null;
      const rows: TrainingRow[] = await manager.query(
        `SELECT * FROM (
           SELECT r.customer_reference AS "customerReference", (extract(epoch FROM r.arranged_at) * 1000)::float8 AS "bookedAt",
                  (extract(epoch FROM r.starts_at) * 1000)::float8 AS start, r.outcome, r.site_id AS "siteId", r.lead_days AS "leadDays",
                  r.referral_source AS "referralSource", r.mandatory, t.code AS "appointmentType", t.channel, r.weekday, r.hour, r.reminder_state AS reminder
             FROM attendance_records r JOIN appointment_types t ON t.id = r.appointment_type_id
            WHERE r.outcome IS NOT NULL AND r.starts_at >= $1 AND r.starts_at < $2
            ORDER BY r.starts_at DESC LIMIT ${TRAINING_ROWS}) latest
          ORDER BY start`,
        [new Date(now - TRAINING_WINDOW_DAYS * DAY), new Date(now)],
      );
      const sets = trainingSets(rows);
      const evaluation: ShowEvaluation = evaluateShowModel(trainShowModel(sets.earlier).model, sets.heldOut);
      const trained = trainShowModel(sets.all);
      await manager.query('UPDATE show_models SET live = false WHERE live');
      const [row] = await manager.query(
        `INSERT INTO show_models (kind, model, evaluation, trained_at, note, live) VALUES ($1, $2, $3, $4, $5, true) RETURNING *`,
        [
          trained.model.kind,
          { model: trained.model, siteShowRates: sets.rates.rates, globalShowRate: sets.rates.global, reminderDeliveredShare: reminderDeliveredShare(rows) } satisfies StoredModel,
          { ...evaluation, heldOutFrom: sets.heldOutFrom === null ? null : new Date(sets.heldOutFrom).toISOString() },
          new Date(now),
          trained.reason ?? null,
        ],
      );
      return modelView(row);
    });
    if (!trained) return null;
    this.cached = null;
    await this.rescoreUpcoming(now);
    return trained;
  }

  /**
   * The bookings still to come, scored again with the new model, a batch per transaction so
   * that no booking waits long on this. One being changed right now is skipped: the change
   * scores it itself.
   */
  private async rescoreUpcoming(now: number): Promise<void> {
    for (let after = '00000000-0000-0000-0000-000000000000'; ; ) {
      const batch = await this.dataSource.transaction(async (manager) => {
        const ids: { id: string }[] = await manager.query(
          `SELECT id FROM bookings WHERE status = 'booked' AND outcome IS NULL AND starts_at > $1 AND id > $2
            ORDER BY id LIMIT ${RESCORE_BATCH} FOR NO KEY UPDATE SKIP LOCKED`,
          [new Date(now), after],
        );
        for (const { id } of ids) {
          const facts = await refreshRecord(manager, id);
          if (facts) await this.score(manager, id, facts);
        }
        return ids;
      });
      if (batch.length < RESCORE_BATCH) return;
      after = batch[batch.length - 1].id;
    }
  }
}

/** A booking's score as its facts stand, a reminder still to come at its expected effect. */
function scoreOf(facts: ScoringFacts, live: LiveModel): ShowScore {
  return scoreBooking(live.model, signalsOf(facts, live), { hoursAhead: facts.hours_ahead, deliveredShare: live.reminderDeliveredShare });
}

function signalsOf(facts: ScoringFacts, live: LiveModel): ShowSignals {
  return {
    history: { showed: facts.showed, missed: facts.missed },
    siteShowRate: live.siteShowRates[facts.site_id] ?? live.globalShowRate,
    leadDays: facts.lead_days,
    referralSource: facts.referral_source,
    mandatory: facts.mandatory,
    appointmentType: facts.code,
    channel: facts.channel,
    weekday: facts.weekday,
    hour: facts.hour,
    reminder: facts.reminder_state,
    confirmed: facts.confirmed,
  };
}

function modelView(row: { version: number; kind: string; model: { model: ShowModel }; evaluation: ShowModelView['evaluation']; trained_at: Date; note: string | null; live: boolean }): ShowModelView {
  return {
    version: row.version,
    kind: row.kind,
    trainedAt: row.trained_at.toISOString(),
    trainedOn: row.model.model.trainedOn,
    fallback: row.kind === 'base_rates',
    note: row.note,
    evaluation: row.evaluation,
    live: row.live,
  };
}
