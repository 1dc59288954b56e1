import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsDivisibleBy, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { WEEKDAYS, type WeekdayName } from '../../common/time/local-time';
import { IsDateOrInstant, IsEmailAddress, IsId, IsLocalDate, IsLocalTime } from '../../common/http/validation';
import { AffectedBookingView } from '../../bookings/dto/bookings.dto';
import { CHANNELS, type Channel } from '../entities/appointment-type.entity';

export const CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,39}$/;
const CODE_MESSAGE = 'must be 2-40 capital letters, digits or underscores, starting with a letter';

export class CreateAppointmentTypeDto {
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) @Matches(CODE_PATTERN, { message: `code ${CODE_MESSAGE}` }) code: string;
  @ApiProperty({ example: 'Skills Health Check' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ type: 'integer', example: 60, description: 'A multiple of 5 minutes.' }) @IsInt() @Min(5) @Max(480) @IsDivisibleBy(5) durationMinutes: number;
  @ApiProperty({ type: 'integer', example: 1, description: '1 for a one-to-one, or the group size.' }) @IsInt() @Min(1) @Max(200) capacity: number;
  @ApiProperty({ enum: CHANNELS, example: 'face_to_face' }) @IsIn(CHANNELS) channel: Channel;
  @ApiPropertyOptional({ type: 'integer', example: 15, default: 0, description: 'Minutes kept free after each session.' }) @IsOptional() @IsInt() @Min(0) @Max(120) @IsDivisibleBy(5) bufferMinutes?: number;
  @ApiPropertyOptional({
    example: 'A one-to-one look at your skills and interests, and the jobs and courses they could lead to.',
    description: 'What the session is and why it helps, in plain English: it goes into confirmations and reminders.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  description?: string;
  @ApiPropertyOptional({ example: 'Your CV if you have one.', description: 'What the customer should bring; it goes into confirmations and reminders.' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  whatToBring?: string;
}

export class AppointmentTypeView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) code: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer' }) durationMinutes: number;
  @ApiProperty({ type: 'integer' }) capacity: number;
  @ApiProperty({ enum: CHANNELS }) channel: Channel;
  @ApiProperty({ type: 'integer' }) bufferMinutes: number;
  @ApiProperty({ type: String, nullable: true, example: 'A one-to-one look at your skills and interests.' }) description: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Your CV if you have one.' }) whatToBring: string | null;
}

export class CreateAdviserDto {
  @ApiProperty({ example: 'Priya Shah' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ example: 'priya.shah@careers.example' }) @IsEmailAddress() email: string;
  @ApiProperty({ format: 'uuid' }) @IsId() organisationId: string;
  @ApiProperty({ example: ['SKILLS_HEALTH_CHECK', 'FOLLOW_UP'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @Matches(CODE_PATTERN, { each: true, message: `each appointment type ${CODE_MESSAGE}` })
  appointmentTypes: string[];
}

export class AdviserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() email: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ example: ['SKILLS_HEALTH_CHECK'] }) appointmentTypes: string[];
}

export class CreatePatternDto {
  @ApiProperty({ format: 'uuid' }) @IsId() siteId: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsId() roomId?: string;
  @ApiProperty({ enum: WEEKDAYS, isArray: true, example: ['MON', 'THU'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @ArrayUnique()
  @IsIn(WEEKDAYS, { each: true })
  weekdays: WeekdayName[];
  @ApiProperty({ example: '09:00', description: 'Local time at the site.' }) @IsLocalTime() startTime: string;
  @ApiProperty({ example: '12:30', description: 'Local time at the site.' }) @IsLocalTime() endTime: string;
  @ApiProperty({ example: '2027-01-04' }) @IsLocalDate() validFrom: string;
  @ApiPropertyOptional({ example: '2027-07-30' }) @IsOptional() @IsLocalDate() validTo?: string;
  @ApiProperty({ example: ['SKILLS_HEALTH_CHECK', 'FOLLOW_UP'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @Matches(CODE_PATTERN, { each: true, message: `each appointment type ${CODE_MESSAGE}` })
  appointmentTypes: string[];
}

export class PatternView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) roomId: string | null;
  @ApiProperty({ enum: WEEKDAYS, isArray: true }) weekdays: WeekdayName[];
  @ApiProperty({ example: '09:00' }) startTime: string;
  @ApiProperty({ example: '12:30' }) endTime: string;
  @ApiProperty({ example: '2027-01-04' }) validFrom: string;
  @ApiProperty({ type: String, nullable: true, example: '2027-07-30', description: 'Null: open-ended.' }) validTo: string | null;
  @ApiProperty({ example: ['SKILLS_HEALTH_CHECK'] }) appointmentTypes: string[];
}

export const EXCEPTION_KINDS = ['leave', 'sickness', 'training'] as const;

export class CreateExceptionDto {
  @ApiProperty({ example: '2027-02-08', description: 'A date (from the start of that day, UK time) or a date-time with offset.' }) @IsDateOrInstant() from: string;
  @ApiProperty({ example: '2027-02-12', description: 'A date (to the end of that day, UK time) or a date-time with offset.' }) @IsDateOrInstant() to: string;
  @ApiProperty({ enum: EXCEPTION_KINDS, example: 'leave' }) @IsIn(EXCEPTION_KINDS) kind: (typeof EXCEPTION_KINDS)[number];
  @ApiPropertyOptional({ example: 'Annual leave' }) @IsOptional() @IsString() @Length(0, 1000) note?: string;
}

export class ExceptionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ example: '2027-02-08T00:00:00Z' }) from: string;
  @ApiProperty({ example: '2027-02-13T00:00:00Z' }) to: string;
  @ApiProperty({ enum: EXCEPTION_KINDS }) kind: string;
  @ApiProperty({ type: String, nullable: true, example: 'Annual leave' }) note: string | null;
  @ApiProperty({ type: [AffectedBookingView], description: 'Bookings in the period: kept, and flagged as needing rebooking.' })
  affectedBookings: AffectedBookingView[];
}
