import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal, RequireScope } from '../common/auth/auth.decorators';
import type { Principal } from '../common/auth/principal';
import { AppError } from '../common/errors/app-error';
import { ApiErrors, BODY_ERRORS } from '../common/http/openapi';
import { UuidParam } from '../common/http/validation';
import { BookingsService } from './bookings.service';
import { BookingListQuery, BookingListView, BookingView, CancelDto, CreateBookingDto, CreateHoldDto, HoldView, RescheduleDto } from './dto/bookings.dto';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

@ApiTags('bookings')
@ApiBearerAuth()
@RequireScope('bookings:write')
@Controller('v1')
export class BookingsController {
  constructor(private readonly bookings: BookingsService) {}

  @Post('holds')
  @ApiCreatedResponse({ type: HoldView, description: 'The slot is reserved until expiresAt; it frees itself after that.' })
  @ApiErrors(...BODY_ERRORS, { 400: 'INVALID_START (not on a five-minute mark)', 409: 'SLOT_FULL, SLOT_TAKEN, SLOT_NOT_IN_DIARY or TOO_SOON', 422: 'UNKNOWN_APPOINTMENT_TYPE, UNKNOWN_ADVISER, UNKNOWN_SITE' })
  createHold(@CurrentPrincipal() principal: Principal, @Body() dto: CreateHoldDto): Promise<HoldView> {
    return this.bookings.createHold(principal, dto);
  }

  @Delete('holds/:id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Released.' })
  @ApiErrors(400, { 404: 'HOLD_NOT_FOUND', 409: 'HOLD_USED' })
  releaseHold(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<void> {
    return this.bookings.releaseHold(principal, id);
  }

  @Post('bookings')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Repeating a request with the same key and body returns the first result.' })
  @ApiCreatedResponse({ type: BookingView })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_IDEMPOTENCY_KEY, INVALID_MOBILE, CONTACT_MISSING, INVALID_START',
    404: 'HOLD_NOT_FOUND',
    409: 'SLOT_FULL when the slot has no seat left; SLOT_TAKEN, SLOT_NOT_IN_DIARY, TOO_SOON, HOLD_USED',
    422: 'IDEMPOTENCY_KEY_REUSED, UNKNOWN_APPOINTMENT_TYPE, UNKNOWN_ADVISER, UNKNOWN_SITE',
  })
  async book(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateBookingDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<BookingView> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new AppError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const result = await this.bookings.book(principal, dto, idempotencyKey);
    if (result.replayed) response.setHeader('Idempotent-Replayed', 'true');
    return result.booking;
  }

  @Get('bookings')
  @ApiOkResponse({ type: BookingListView, description: 'A day sheet (siteId or adviserId, with date) or a customer history (customerReference).' })
  @ApiErrors({ 400: 'INVALID_FILTER' })
  async list(@CurrentPrincipal() principal: Principal, @Query() query: BookingListQuery): Promise<BookingListView> {
    return { bookings: await this.bookings.list(principal, query) };
  }

  @Get('bookings/:id')
  @ApiOkResponse({ type: BookingView })
  @ApiErrors(400, { 404: 'BOOKING_NOT_FOUND' })
  get(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string): Promise<BookingView> {
    return this.bookings.get(principal, id);
  }

  @Post('bookings/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: BookingView })
  @ApiErrors(...BODY_ERRORS, { 404: 'BOOKING_NOT_FOUND', 409: 'BOOKING_CANCELLED, BOOKING_STARTED, BOOKING_CHANGED (retry after Retry-After)' })
  cancel(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Body() dto: CancelDto): Promise<BookingView> {
    return this.bookings.cancel(principal, id, dto);
  }

  @Post('bookings/:id/reschedule')
  @HttpCode(200)
  @ApiOkResponse({ type: BookingView, description: 'Moved. If the new slot cannot be had, the booking stands untouched.' })
  @ApiErrors(...BODY_ERRORS, {
    400: 'INVALID_START',
    404: 'BOOKING_NOT_FOUND, HOLD_NOT_FOUND',
    409: 'SAME_SLOT, BOOKING_CANCELLED, BOOKING_STARTED, BOOKING_CHANGED, SLOT_FULL, SLOT_TAKEN, SLOT_NOT_IN_DIARY, TOO_SOON, HOLD_USED',
    422: 'UNKNOWN_APPOINTMENT_TYPE, UNKNOWN_ADVISER, UNKNOWN_SITE',
  })
  reschedule(@CurrentPrincipal() principal: Principal, @Param('id', UuidParam) id: string, @Body() dto: RescheduleDto): Promise<BookingView> {
    return this.bookings.reschedule(principal, id, dto);
  }
}
