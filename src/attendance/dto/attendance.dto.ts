import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min, ValidateIf } from 'class-validator';
import { BOOKING_EVENT_KINDS } from '../../common/events/booking-events';
import { ApiNullableEnum } from '../../common/http/openapi';
import { IsLocalDate } from '../../common/http/validation';
import { OUTCOMES } from '../domain/outcomes';

export class RecordOutcomeDto {
  @ApiProperty({ enum: OUTCOMES, example: 'attended' }) @IsIn(OUTCOMES) outcome: (typeof OUTCOMES)[number];
  @ApiPropertyOptional({ example: 'Arrived 20 minutes late; seen briefly', maxLength: 1000 }) @IsOptional() @IsString() @Length(1, 1000) note?: string;
}

export class OutcomeView {
  @ApiProperty({ format: 'uuid' }) bookingId: string;
  @ApiProperty({ enum: OUTCOMES }) outcome: string;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ example: '2027-01-04T11:02:00Z' }) recordedAt: string;
  @ApiNullableEnum(OUTCOMES, { description: 'The outcome this one corrected, if any.' }) previous: string | null;
}

export class ActorView {
  @ApiProperty({ enum: ['organisation', 'admin', 'system', 'customer'] }) type: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The organisation, when an organisation acted.' }) organisationId: string | null;
}

export class BookingEventView {
  @ApiProperty({ enum: BOOKING_EVENT_KINDS }) kind: string;
  @ApiProperty({ example: '2027-01-04T09:12:00Z' }) at: string;
  @ApiProperty({ type: ActorView }) actor: ActorView;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What changed: times moved from and to, the outcome and the one it corrected, the message and channel.' })
  data: Record<string, unknown>;
}

export class BookingHistoryView {
  @ApiProperty({ format: 'uuid' }) bookingId: string;
  @ApiProperty({ type: [BookingEventView] }) events: BookingEventView[];
}

export class OutcomesDueQuery {
  @ApiPropertyOptional({ example: '2027-01-04', description: "The site's local day; today by default." }) @IsOptional() @IsLocalDate() date?: string;
}

export class OutcomeDueView {
  @ApiProperty({ format: 'uuid' }) bookingId: string;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) appointmentType: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ example: '2027-01-04T09:00:00+00:00' }) start: string;
  @ApiProperty({ example: '2027-01-04T10:00:00+00:00' }) end: string;
  @ApiProperty({ example: 'JCP-4471' }) customerReference: string;
  @ApiProperty({ example: 'Sam Taylor' }) customerName: string;
}

export class OutcomesDueView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ example: '2027-01-04' }) date: string;
  @ApiProperty({ type: [OutcomeDueView] }) bookings: OutcomeDueView[];
}

export class AttendancePolicyDto {
  @ApiProperty({ type: Number, nullable: true, minimum: 1, maximum: 336, example: 24, description: "Record 'dna' by itself this many hours after an appointment ends with no outcome; null turns it off." })
  @ValidateIf((_, value) => value !== null)
  @IsInt()
  @Min(1)
  @Max(336)
  autoDnaAfterHours: number | null;
}

export class AttendancePolicyView extends AttendancePolicyDto {
  @ApiProperty({ format: 'uuid' }) siteId: string;
}
