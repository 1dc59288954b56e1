import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DateTime } from 'luxon';
import { Public } from '../../common/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../../common/config/config';
import { AppError } from '../../common/errors/app-error';
import { UuidParam } from '../../common/http/validation';
import { SessionStore } from '../../staff/sessions';
import { StaffService } from '../../staff/staff.service';
import { BookQueries } from '../book/book.queries';
import { spokenTime } from '../format';
import { fieldErrorsOf, render, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';
import { checkStaffForm, readStaffForm, STAFF_ERRORS } from './staff-form';
import { StaffQueries } from './staff.queries';

export const ROLE_NAMES: Record<string, string> = { work_coach: 'Work coach', adviser: 'Adviser', site_manager: 'Site manager', admin: 'Admin' };

/**
 * Staff accounts, for admins: the list with each account's state, a new account through
 * StaffService.create (the service behind POST /v1/staff, so the same rules), and switching an
 * account off or on, or ending its lock-out.
 */
@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app/staff')
export class StaffPagesController {
  constructor(
    private readonly staff: StaffService,
    private readonly queries: StaffQueries,
    private readonly bookQueries: BookQueries,
    private readonly sessions: SessionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private admin(request: WebRequest): string {
    if (request.web.staff?.role !== 'admin') throw new AppError(403, 'FORBIDDEN', 'Staff accounts are managed by admins: your account cannot see them.');
    return request.web.staff.id;
  }

  @Get()
  async list(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const me = this.admin(request);
    const flash = await this.sessions.takeFlash(request.web.session);
    const [accounts, organisations] = await Promise.all([this.staff.list(), this.queries.organisations()]);
    const organisationNames = new Map(organisations.map((o) => [o.id, o.name]));
    render(request, response, 'pages/staff/list', {
      title: 'Staff accounts',
      errors: flash?.errors ?? [],
      notice: flash?.notice,
      accounts: accounts.map((a) => ({
        ...a,
        me: a.id === me,
        organisationName: organisationNames.get(a.organisationId) ?? '',
        roleName: ROLE_NAMES[a.role],
        state: !a.active ? 'Deactivated' : a.lockedUntil ? `Locked until ${spokenTime(DateTime.fromMillis(a.lockedUntil, { zone: this.config.DEFAULT_TIMEZONE }))}` : 'Active',
      })),
    });
  }

  @Get('new')
  async form(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    this.admin(request);
    const flash = await this.sessions.takeFlash(request.web.session);
    const [organisations, sites, advisers] = await Promise.all([this.queries.organisations(), this.bookQueries.sites(), this.queries.advisers()]);
    const errors = flash?.errors ?? [];
    const values = flash?.values ?? { role: 'work_coach' };
    render(request, response, 'pages/staff/new', {
      title: 'New staff account',
      errors,
      fieldErrors: fieldErrorsOf(errors),
      notice: flash?.notice,
      values: { ...values, managedSiteIds: ([] as unknown[]).concat(values.managedSiteIds ?? []) },
      organisations,
      sites,
      advisers,
      roles: Object.entries(ROLE_NAMES).map(([value, text]) => ({ value, text })),
      backLink: '/app/staff',
    });
  }

  @Post('new')
  async create(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    this.admin(request);
    const form = readStaffForm(request.body as Record<string, unknown>);
    // Never written down, not even to come back to the form: it is typed again.
    const typed = { ...form, password: '' };
    const again = async (errors: { href: string; text: string }[]) => {
      await this.sessions.setFlash(request.web.session, { errors, values: typed });
      response.redirect(303, '/app/staff/new');
    };
    const checked = await checkStaffForm(form);
    if (!checked.staff) return again(checked.errors);
    try {
      const made = await this.staff.create(checked.staff);
      await this.sessions.setFlash(request.web.session, {
        notice: `${made.name}'s account is made. ${made.hasPassword ? 'They sign in with their email address and the password you set.' : 'It has no password: they sign in through single sign-on.'}`,
      });
      response.redirect(303, '/app/staff');
    } catch (error) {
      if (!(error instanceof AppError) || !STAFF_ERRORS[error.code]) throw error;
      return again([STAFF_ERRORS[error.code]]);
    }
  }

  @Post(':id/deactivate')
  deactivate(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    return this.change(request, response, id, (me) => this.staff.setActive(id, false, me), 'The account is deactivated: it is signed out everywhere and cannot sign in.');
  }

  @Post(':id/reactivate')
  reactivate(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    return this.change(request, response, id, (me) => this.staff.setActive(id, true, me), 'The account is active again.');
  }

  @Post(':id/unlock')
  unlock(@Req() request: WebRequest, @Res() response: Response, @Param('id', UuidParam) id: string): Promise<void> {
    return this.change(request, response, id, () => this.staff.unlock(id), 'The account is unlocked: they can sign in again now.');
  }

  private async change(request: WebRequest, response: Response, id: string, act: (me: string) => Promise<void>, done: string): Promise<void> {
    const me = this.admin(request);
    try {
      await act(me);
      await this.sessions.setFlash(request.web.session, { notice: done });
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'OWN_ACCOUNT') throw error;
      await this.sessions.setFlash(request.web.session, { errors: [{ href: `#staff-${id}`, text: error.message }] });
    }
    response.redirect(303, '/app/staff');
  }
}
