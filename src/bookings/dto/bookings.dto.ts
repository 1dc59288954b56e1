import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, Length, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { OUTCOMES } from '../../attendance/domain/outcomes';
import { ApiNullableEnum } from '../../common/http/openapi';
import { IsEmailAddress, IsId, IsInstant, IsLocalDate } from '../../common/http/validation';

const CODE = /^[A-Z][A-Z0-9_]{1,39}$/;

/** A slot named by what, where, with whom and when. */
export class SlotRefDto {
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) @Matches(CODE, { message: 'appointmentType must be an appointment type code' }) appointmentType: string;
  @ApiProperty({ format: 'uuid' }) @IsId() siteId: string;
  @ApiProperty({ format: 'uuid' }) @IsId() adviserId: string;
  @ApiProperty({ example: '2027-01-04T09:00:00Z' }) @IsInstant() start: string;
}

export class CreateHoldDto extends SlotRefDto {}

export class HoldView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '2027-01-04T08:35:00Z' }) expiresAt: string;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) appointmentType: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) roomId: string | null;
  @ApiProperty({ example: '2027-01-04T09:00:00+00:00' }) start: string;
  @ApiProperty({ example: '2027-01-04T10:00:00+00:00' }) end: string;
}

export const PREFERRED_CHANNELS = ['sms', 'email', 'none'] as const;

export class CustomerDto {
  @ApiProperty({ example: 'JCP-4471-2291', description: "The referring organisation's own reference for the customer." })
  @IsString()
  @Length(1, 100)
  reference: string;
  @ApiProperty({ example: 'Sam Taylor' }) @IsString() @Length(1, 200) name: string;
  @ApiPropertyOptional({ example: '07911 123456', description: 'A UK mobile number; stored in E.164.' }) @IsOptional() @IsString() @Length(1, 40) mobile?: string;
  @ApiPropertyOptional({ example: 'sam.taylor@example.com' }) @IsOptional() @IsEmailAddress() email?: string;
  @ApiProperty({ enum: PREFERRED_CHANNELS, example: 'sms' }) @IsIn(PREFERRED_CHANNELS) preferredChannel: (typeof PREFERRED_CHANNELS)[number];
  @ApiProperty({ example: true }) @IsBoolean() consentToContact: boolean;
}

export const REFERRAL_SOURCES = ['jcp', 'partner', 'self'] as const;

export class ReferralDto {
  @ApiProperty({ enum: REFERRAL_SOURCES, example: 'jcp' }) @IsIn(REFERRAL_SOURCES) source: (typeof REFERRAL_SOURCES)[number];
  @ApiPropertyOptional({ example: 'J. Okafor, work coach' }) @IsOptional() @IsString() @Length(1, 200) referrerName?: string;
  @ApiPropertyOptional({ example: 'Wants to move into care work; needs a CV.' }) @IsOptional() @IsString() @Length(1, 2000) reason?: string;
  @ApiPropertyOptional({ example: false, default: false }) @IsOptional() @IsBoolean() mandatory?: boolean;
}

/** Either a holdId, or the four slot fields. */
export class SlotOrHoldDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A hold to turn into the booking. Give this or the slot fields.' })
  // Not @IsOptional: that would let null through and skip the slot fields as well.
  @ValidateIf((o) => o.holdId !== undefined)
  @IsId()
  holdId?: string;
  @ApiPropertyOptional({ example: 'SKILLS_HEALTH_CHECK' })
  @ValidateIf((o) => o.holdId === undefined)
  @Matches(CODE, { message: 'appointmentType must be an appointment type code (or give holdId)' })
  appointmentType?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @ValidateIf((o) => o.holdId === undefined) @IsId() siteId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @ValidateIf((o) => o.holdId === undefined) @IsId() adviserId?: string;
  @ApiPropertyOptional({ example: '2027-01-04T09:00:00Z' }) @ValidateIf((o) => o.holdId === undefined) @IsInstant() start?: string;
  @ApiPropertyOptional({
    default: true,
    description: "false: never admit this booking beyond the session's capacity, whatever the site's overbooking policy allows (409 SLOT_FULL instead).",
  })
  @IsOptional()
  @IsBoolean()
  allowOverbook?: boolean;
}

export class CreateBookingDto extends SlotOrHoldDto {
  @ApiProperty({ type: CustomerDto }) @IsObject() @ValidateNested() @Type(() => CustomerDto) customer: CustomerDto;
  @ApiProperty({ type: ReferralDto }) @IsObject() @ValidateNested() @Type(() => ReferralDto) referral: ReferralDto;
}

export class RescheduleDto extends SlotOrHoldDto {}

export const CANCELLED_BY = ['customer', 'service'] as const;

export class CancelDto {
  @ApiProperty({ enum: CANCELLED_BY, example: 'customer' }) @IsIn(CANCELLED_BY) by: (typeof CANCELLED_BY)[number];
  @ApiProperty({ example: 'Started a job' }) @IsString() @Length(1, 1000) reason: string;
}

const OUTCOME_FILTERS = [...OUTCOMES, 'none'] as const;

export class BookingListQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsId() siteId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsId() adviserId?: string;
  @ApiPropertyOptional({ example: '2027-01-04', description: 'Local date of the day sheet; needed with siteId or adviserId.' }) @IsOptional() @IsLocalDate() date?: string;
  @ApiPropertyOptional({ example: 'JCP-4471-2291' }) @IsOptional() @IsString() @Length(1, 100) customerReference?: string;
  @ApiPropertyOptional({ example: 'mine', description: "How an organisation's referrals turned out: \"mine\" (or the organisation's id; any id for an admin), with from and to." })
  @IsOptional()
  @ValidateIf((_, value) => value !== 'mine')
  @IsId()
  organisationId?: string;
  @ApiPropertyOptional({ example: '2027-01-01', description: 'First local day, with organisationId.' }) @IsOptional() @IsLocalDate() from?: string;
  @ApiPropertyOptional({ example: '2027-01-31', description: 'Last local day (inclusive), with organisationId; at most 92 days after from.' }) @IsOptional() @IsLocalDate() to?: string;
  @ApiPropertyOptional({ enum: [...OUTCOME_FILTERS], description: 'Only this outcome, with organisationId; "none" for bookings with none recorded yet.' })
  @IsOptional()
  @IsIn(OUTCOME_FILTERS)
  outcome?: (typeof OUTCOME_FILTERS)[number];
}

export class CustomerView {
  @ApiProperty() reference: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, example: '+447700900123' }) mobile: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'sam.taylor@example.com' }) email: string | null;
  @ApiProperty({ enum: PREFERRED_CHANNELS }) preferredChannel: string;
  @ApiProperty() consentToContact: boolean;
}

export class ReferralView {
  @ApiProperty({ enum: REFERRAL_SOURCES }) source: string;
  @ApiProperty({ type: String, nullable: true, example: 'J. Okafor, work coach' }) referrerName: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Wants to move into care work; needs a CV.' }) reason: string | null;
  @ApiProperty() mandatory: boolean;
}

export class ShowFactorView {
  @ApiProperty({ example: 'customer history: 5 of 6 missed' }) factor: string;
  @ApiProperty({ example: -0.31, description: 'How much this moves the probability, against a neutral value.' }) effect: number;
}

export class BookingView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ['booked', 'cancelled'] }) status: string;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) appointmentType: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) roomId: string | null;
  @ApiProperty({ example: '2027-01-04T09:00:00+00:00' }) start: string;
  @ApiProperty({ example: '2027-01-04T10:00:00+00:00' }) end: string;
  @ApiProperty({ description: 'A closure or an adviser absence now covers this booking: the customer needs a new time.' }) needsRebooking: boolean;
  @ApiProperty({ type: 'integer' }) rescheduleCount: number;
  @ApiProperty({ example: 'standard', description: 'The reminder wording variant the booking was given (for comparing DNA rates).' }) messageVariant: string;
  @ApiProperty({ type: CustomerView }) customer: CustomerView;
  @ApiProperty({ type: ReferralView }) referral: ReferralView;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The organisation that made the booking; null when the bootstrap admin key made it.' }) organisationId: string | null;
  @ApiNullableEnum(CANCELLED_BY) cancelledBy: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Started a job' }) cancelReason: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2027-01-03T16:20:00+00:00' }) cancelledAt: string | null;
  @ApiProperty() createdAt: string;
  @ApiNullableEnum(OUTCOMES, { description: 'What happened, once recorded.' }) outcome: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.74, description: 'How likely the customer is to attend (0-1), from the live model; null for a cancelled booking.' })
  showProbability: number | null;
  @ApiProperty({ type: [ShowFactorView], description: 'What moves showProbability most, strongest first.' }) showFactors: ShowFactorView[];
  @ApiProperty({ description: "Admitted beyond the session's capacity under the site's overbooking policy." }) overbooked: boolean;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The version of the overbooking policy it was admitted under, when overbooked.' }) overbookPolicyVersion: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.08, description: 'The chance of a collision in its session (or pool) that it was admitted at, when overbooked.' }) overbookRisk: number | null;
}

export class BookingListView {
  @ApiProperty({ type: [BookingView] }) bookings: BookingView[];
}

export class AffectedBookingView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ example: '2027-02-08T09:00:00+00:00' }) start: string;
  @ApiProperty({ example: '2027-02-08T10:00:00+00:00' }) end: string;
  @ApiProperty({ example: 'JCP-4471-2291' }) customerReference: string;
}
