import { Controller, Get, Inject, Post, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/auth/auth.decorators';
import { APP_CONFIG, AppConfig } from '../../common/config/config';
import { SessionStore } from '../../staff/sessions';
import { nextPath, resumeFor } from '../../staff/domain/resume';
import { homeOf } from '../../staff/domain/roles';
import { StaffService } from '../../staff/staff.service';
import { DateTime } from 'luxon';
import { spokenTime } from '../format';
import { formField } from '../form-field';
import { fieldErrorsOf, render, setSessionCookie, SignedOut, signInPage, WebErrorFilter, WebGuard, type WebRequest } from '../web-session';

@ApiExcludeController()
@Public()
@UseGuards(WebGuard)
@UseFilters(WebErrorFilter)
@Controller('app')
export class SignInController {
  constructor(
    private readonly staff: StaffService,
    private readonly sessions: SessionStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @SignedOut()
  start(@Req() request: WebRequest, @Res() response: Response): void {
    response.redirect(303, request.web.staff ? homeOf(request.web.staff) : '/app/sign-in');
  }

  @Get('sign-in')
  @SignedOut()
  async form(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const next = nextPath(request.query.next);
    if (request.web.staff) return response.redirect(303, next ?? homeOf(request.web.staff));
    const flash = await this.sessions.takeFlash(request.web.session);
    render(request, response, 'pages/sign-in', { title: 'Sign in', errors: flash?.errors ?? [], fieldErrors: fieldErrorsOf(flash?.errors), values: flash?.values ?? {}, notice: flash?.notice, next });
  }

  @Post('sign-in')
  @SignedOut()
  async signIn(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    const email = formField(request.body, 'email').trim();
    const password = formField(request.body, 'password');
    const next = nextPath(request.body?.next);
    const back = async (errors: { href: string; text: string }[]) => {
      await this.sessions.setFlash(request.web.session, { errors, values: { email: email.slice(0, 254) } });
      response.redirect(303, signInPage(next));
    };
    const missing = [
      ...(email ? [] : [{ href: '#email', text: 'Enter your email address' }]),
      ...(password ? [] : [{ href: '#password', text: 'Enter your password' }]),
    ];
    if (missing.length) return back(missing);
    if (email.length > 254 || password.length > 200) return back([{ href: '#email', text: 'Enter a correct email address and password' }]);
    const result = await this.staff.signIn(email, password);
    if (!result.ok) {
      if (result.reason === 'locked') {
        const until = spokenTime(DateTime.fromMillis(result.until!, { zone: this.config.DEFAULT_TIMEZONE }));
        return back([{ href: '#password', text: `Too many wrong passwords. This account is locked until ${until}: try again then, or ask an administrator.` }]);
      }
      return back([{ href: '#email', text: 'Enter a correct email address and password' }]);
    }
    const session = await this.sessions.signIn(request.web.session, result.staff.id);
    setSessionCookie(response, this.config, session);
    // Back to the form they were filling in when their last session ended, if there is one,
    // else on to the page they asked for.
    response.redirect(303, resumeFor(request.web.session.resume, result.staff.id)?.returnTo ?? next ?? homeOf(result.staff));
  }

  @Post('sign-out')
  async signOut(@Req() request: WebRequest, @Res() response: Response): Promise<void> {
    await this.sessions.end(request.web.session);
    const session = await this.sessions.anonymous();
    await this.sessions.setFlash(session, { notice: 'You have signed out.' });
    setSessionCookie(response, this.config, session);
    response.redirect(303, '/app/sign-in');
  }
}

