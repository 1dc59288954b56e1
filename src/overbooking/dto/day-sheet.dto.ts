import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { OUTCOMES } from '../../attendance/domain/outcomes';
import { REFERRAL_SOURCES } from '../../bookings/dto/bookings.dto';
import { ApiNullableEnum, ApiNullableRef } from '../../common/http/openapi';
import { IsLocalDate } from '../../common/http/validation';
import { CODE_PATTERN } from '../../diaries/dto/diaries.dto';
import { COLLISION_LIKELY_AT } from '../domain/day-sheet';
import { RELEASE_CEILING } from '../domain/release';

export class DaySheetQuery {
  @ApiProperty({ example: '2027-01-04', description: "The site's local day." })
  @IsLocalDate()
  date: string;

  @ApiPropertyOptional({ example: 'SKILLS_HEALTH_CHECK', description: 'Only sessions of this type (helpers are still judged by everything they have on).' })
  @IsOptional()
  @Matches(CODE_PATTERN, { message: 'appointmentType must be an appointment type code' })
  appointmentType?: string;
}

export class DaySheetReleaseView {
  @ApiProperty({ example: '2027-01-03T16:20:00.000Z' }) releasedAt: string;
  @ApiProperty({ description: 'Someone from the waitlist took the seat, and is booked into the session as an extra.' }) claimed: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'Alex Jones', description: 'Who took it, when this key may see their booking by name.' }) claimedBy: string | null;
}

export class DaySheetBookingView {
  @ApiProperty({ format: 'uuid' }) bookingId: string;
  @ApiProperty({ example: 'JCP-4471' }) customerReference: string;
  @ApiProperty({ example: 'Sam Taylor' }) customerName: string;
  @ApiProperty({ type: Number, nullable: true, example: 0.74, description: 'How likely the customer is to come (0-1); null if never scored, when it counts as unscoredShowProbability.' })
  showProbability: number | null;
  @ApiProperty({ description: 'Admitted beyond the session’s capacity under an overbooking policy.' }) overbooked: boolean;
  @ApiProperty({ enum: REFERRAL_SOURCES }) referralSource: string;
  @ApiNullableEnum(OUTCOMES, { description: 'Once recorded, counts instead of showProbability: 1 if the customer came, 0 if not.' }) outcome: string | null;
  @ApiProperty({ description: `A seat beside it may be offered to the waitlist now (POST /v1/bookings/{id}/release): not started, not released, show probability at most ${RELEASE_CEILING}. The site's caps on extras are checked when it is.` })
  releasable: boolean;
  @ApiNullableRef(DaySheetReleaseView, { description: 'The seat offered to the waitlist beside it, if one was.' }) release: DaySheetReleaseView | null;
}

export class DaySheetHelperView {
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ example: 'Grace Mensah' }) adviserName: string;
  @ApiProperty({ description: 'False: free in their diary then; true: in a session expected to have room.' }) inSession: boolean;
  @ApiProperty({ example: 0.6, description: 'Seats expected to be empty then: capacity less expected customers in their fullest session overlapping the queue, or the seats their free diary time offers.' })
  expectedSpare: number;
}

export class DaySheetSessionView {
  @ApiProperty({ format: 'uuid' }) sessionId: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ example: 'Grace Mensah' }) adviserName: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) roomId: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Meeting room 1' }) roomName: string | null;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) appointmentType: string;
  @ApiProperty({ example: '2027-01-04T09:00:00+00:00' }) start: string;
  @ApiProperty({ example: '2027-01-04T10:00:00+00:00' }) end: string;
  @ApiProperty({ type: 'integer', example: 1 }) capacity: number;
  @ApiProperty({ type: 'integer', example: 2, description: 'Active bookings, every organisation’s.' }) booked: number;
  @ApiProperty({ example: 1.52, description: 'The sum of the bookings’ show probabilities.' }) expectedCustomers: number;
  @ApiProperty({ example: 0.56, description: 'The exact probability that more customers come than the session can see.' }) collisionProbability: number;
  @ApiProperty({ description: `collisionProbability is ${COLLISION_LIKELY_AT} or more.` }) collisionLikely: boolean;
  @ApiProperty({ type: [DaySheetBookingView], description: 'The bookings this key may see: all of them for an admin or a manager of the site, otherwise those its organisation made or that are with its advisers.' })
  bookings: DaySheetBookingView[];
  @ApiProperty({ type: 'integer', description: 'Bookings counted in the figures but not shown to this key.' }) otherBookings: number;
  @ApiProperty({ type: [DaySheetHelperView], description: 'When a collision is likely: other advisers at the site who can see this type then and are expected to have room, roomiest first. Empty otherwise.' })
  helpers: DaySheetHelperView[];
}

export class DaySheetHourView {
  @ApiProperty({ example: '2027-01-04T09:00:00+00:00', description: 'The start of a local hour at the site (the hour repeated in autumn appears twice, with each offset).' }) start: string;
  @ApiProperty({ example: '2027-01-04T10:00:00+00:00' }) end: string;
  @ApiProperty({ type: 'integer', description: 'Sessions starting in the hour.' }) sessions: number;
  @ApiProperty({ type: 'integer' }) capacity: number;
  @ApiProperty({ type: 'integer' }) booked: number;
  @ApiProperty({ example: 3.4 }) expectedCustomers: number;
  @ApiProperty({ type: 'integer' }) collisionsLikely: number;
}

export class DaySheetTotalsView {
  @ApiProperty({ type: 'integer' }) sessions: number;
  @ApiProperty({ type: 'integer' }) capacity: number;
  @ApiProperty({ type: 'integer' }) booked: number;
  @ApiProperty({ example: 21.7 }) expectedCustomers: number;
  @ApiProperty({ type: 'integer' }) collisionsLikely: number;
}

export class DaySheetView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ example: '2027-01-04' }) date: string;
  @ApiProperty({ example: 'Europe/London' }) timezone: string;
  @ApiProperty({ type: String, nullable: true, example: null }) appointmentType: string | null;
  @ApiProperty({ example: COLLISION_LIKELY_AT, description: 'The collisionProbability from which a session is flagged collisionLikely.' }) collisionLikelyAt: number;
  @ApiProperty({ example: RELEASE_CEILING, description: 'The show probability at or below which a booking is releasable.' }) releaseCeiling: number;
  @ApiProperty({ example: 0.74, description: 'What a booking never scored counts as: the mean of the day’s scored bookings, or a typical show rate (0.75) if none is.' })
  unscoredShowProbability: number;
  @ApiProperty({ type: DaySheetTotalsView }) totals: DaySheetTotalsView;
  @ApiProperty({ type: [DaySheetHourView], description: 'Hours of the site’s local day in which sessions start, in order.' }) hours: DaySheetHourView[];
  @ApiProperty({ type: [DaySheetSessionView], description: 'Sessions with at least one active booking, by start.' }) sessions: DaySheetSessionView[];
}
