import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../common/time/clock';
import { Resume, resumeFor } from './domain/resume';

/** Signed-in sessions end after a working day, and after an hour without a page. */
const ABSOLUTE_MS = 10 * 3_600_000;
const IDLE_MS = 60 * 60_000;
// Sessions of people who have not signed in yet hold only a CSRF token.
const ANONYMOUS_MS = 60 * 60_000;
// last_seen_at is written at most this often, not on every page.
const TOUCH_MS = 60_000;
// An ended session's row is kept this long, so that a form posted to it (left open overnight)
// can still be told to be its owner's and kept for them (SessionStore.ended).
const ENDED_KEPT_MS = 24 * 3_600_000;

export interface Session {
  /** The token in the cookie; never stored. */
  token: string;
  staffId: string | null;
  /** The CSRF secret: pages carry it masked afresh each time (domain/csrf.ts), never as it is. */
  csrfToken: string;
  flash: Flash | null;
  draft: Record<string, string> | null;
  /** A form posted after an earlier session ended, kept to be put back after sign-in. */
  resume: Resume | null;
}

/** What a page hands the next across a redirect: GOV.UK error summary entries and what was typed. */
export interface Flash {
  errors?: { href: string; text: string }[];
  values?: Record<string, string | string[]>;
  notice?: string;
}

const hash = (token: string) => createHash('sha256').update(token).digest();
const newToken = () => randomBytes(32).toString('base64url');

/** Browser sessions in PostgreSQL, so they survive restarts and are shared by every instance. */
@Injectable()
export class SessionStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async find(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 100) return null;
    const now = this.clock.now();
    const [row] = await this.dataSource.query(
      `SELECT staff_id, csrf_token, flash, draft, resume, last_seen_at FROM staff_sessions
        WHERE id_hash = $1 AND expires_at > $2 AND last_seen_at > $3`,
      [hash(token), new Date(now), new Date(now - IDLE_MS)],
    );
    if (!row) return null;
    if (now - row.last_seen_at.getTime() > TOUCH_MS) await this.dataSource.query('UPDATE staff_sessions SET last_seen_at = $2 WHERE id_hash = $1', [hash(token), new Date(now)]);
    return { token, staffId: row.staff_id, csrfToken: row.csrf_token, flash: row.flash, draft: row.draft, resume: row.resume };
  }

  /**
   * A signed-in session that has ended (timed out, not signed out: signing out deletes it),
   * for keeping the form its owner posted after the end. Null if there is none.
   */
  async ended(token: string | undefined): Promise<{ staffId: string; csrfToken: string } | null> {
    if (!token || token.length > 100) return null;
    const [row] = await this.dataSource.query('SELECT staff_id, csrf_token FROM staff_sessions WHERE id_hash = $1 AND staff_id IS NOT NULL', [hash(token)]);
    return row ? { staffId: row.staff_id, csrfToken: row.csrf_token } : null;
  }

  /** A signed-out session holding a form to put back once its owner has signed in again. */
  async keep(resume: Resume): Promise<Session> {
    const session = await this.anonymous();
    const flash: Flash = { notice: 'You were signed out because the page was left for a while. Sign in again: what you typed has been kept.' };
    await this.dataSource.query('UPDATE staff_sessions SET resume = $2, flash = $3 WHERE id_hash = $1', [hash(session.token), resume, flash]);
    return { ...session, flash, resume };
  }

  /** A session for someone not signed in yet, for the CSRF token of the sign-in form. */
  async anonymous(): Promise<Session> {
    return this.insert(null, ANONYMOUS_MS, null);
  }

  /**
   * Signs in with a new session id and CSRF token, ending the one the browser had: whatever
   * id an attacker planted before sign-in is worth nothing after it (no session fixation).
   * The customer being booked survives, and so does a form kept when the last session ended,
   * put back (as the next page's values) only if it is this person's: signing in again mid-form
   * loses nothing.
   */
  async signIn(previous: Session | null, staffId: string): Promise<Session> {
    const now = this.clock.now();
    if (previous) await this.end(previous);
    // Ended sessions are swept here rather than by a timer: sign-ins are what create them.
    await this.dataSource.query('DELETE FROM staff_sessions WHERE expires_at < $1 OR last_seen_at < $2', [new Date(now - ENDED_KEPT_MS), new Date(now - IDLE_MS - ENDED_KEPT_MS)]);
    const session = await this.insert(staffId, ABSOLUTE_MS, previous?.draft ?? null);
    const resume = resumeFor(previous?.resume ?? null, staffId);
    if (!resume) return session;
    const flash: Flash = { values: resume.fields, notice: 'You have signed in again. What you typed has been put back: check it, then press the button again.' };
    await this.setFlash(session, flash);
    return { ...session, flash };
  }

  async end(session: Session): Promise<void> {
    await this.dataSource.query('DELETE FROM staff_sessions WHERE id_hash = $1', [hash(session.token)]);
  }

  async setFlash(session: Session, flash: Flash | null): Promise<void> {
    await this.dataSource.query('UPDATE staff_sessions SET flash = $2 WHERE id_hash = $1', [hash(session.token), flash]);
  }

  /** Reads the flash once: a reload shows the page clean. */
  async takeFlash(session: Session): Promise<Flash | null> {
    if (!session.flash) return null;
    await this.setFlash(session, null);
    return session.flash;
  }

  async setDraft(session: Session, draft: Record<string, string> | null): Promise<void> {
    await this.dataSource.query('UPDATE staff_sessions SET draft = $2 WHERE id_hash = $1', [hash(session.token), draft]);
  }

  private async insert(staffId: string | null, lifetimeMs: number, draft: Record<string, string> | null): Promise<Session> {
    const now = this.clock.now();
    const token = newToken();
    const csrfToken = newToken();
    await this.dataSource.query(
      `INSERT INTO staff_sessions (id_hash, staff_id, csrf_token, flash, draft, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, NULL, $4, $5, $5, $6)`,
      [hash(token), staffId, csrfToken, draft, new Date(now), new Date(now + lifetimeMs)],
    );
    return { token, staffId, csrfToken, flash: null, draft, resume: null };
  }
}
