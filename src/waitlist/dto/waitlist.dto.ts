import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsObject, IsOptional, Matches, ValidateNested } from 'class-validator';
import { CustomerDto, CustomerView, ReferralDto, ReferralView } from '../../bookings/dto/bookings.dto';
import { ApiNullableEnum } from '../../common/http/openapi';
import { IsId, IsInstant } from '../../common/http/validation';
import { MAX_WINDOW_DAYS } from '../domain/backfill';

export const ENTRY_STATUSES = ['waiting', 'fulfilled', 'removed'] as const;
export const OFFER_STATUSES = ['open', 'claimed', 'taken', 'lost', 'expired'] as const;
const MAX_SITES = 20;

export class CreateWaitlistEntryDto {
  @ApiProperty({ type: CustomerDto, description: 'As for a booking. Offers go by SMS, so a UK mobile and consentToContact true are required.' })
  @IsObject()
  @ValidateNested()
  @Type(() => CustomerDto)
  customer: CustomerDto;
  @ApiProperty({ type: ReferralDto }) @IsObject() @ValidateNested() @Type(() => ReferralDto) referral: ReferralDto;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'appointmentType must be an appointment type code' }) appointmentType: string;
  @ApiProperty({ type: [String], format: 'uuid', description: `The sites the customer can get to (1-${MAX_SITES}).` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SITES)
  @ArrayUnique()
  @IsId({ each: true })
  siteIds: string[];
  @ApiProperty({ example: '2027-02-08T09:00:00Z', description: 'The earliest start the customer can take.' }) @IsInstant() earliest: string;
  @ApiProperty({ example: '2027-02-19T17:00:00Z', description: `The latest end the customer can take: after earliest and now, at most ${MAX_WINDOW_DAYS} days on.` }) @IsInstant() latest: string;
}

export class WaitlistQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only entries that would take a slot at this site.' }) @IsOptional() @IsId() siteId?: string;
  @ApiPropertyOptional({ enum: ENTRY_STATUSES, default: 'waiting' }) @IsOptional() @IsIn(ENTRY_STATUSES) status?: (typeof ENTRY_STATUSES)[number];
}

export class WaitlistOfferView {
  @ApiProperty({ format: 'uuid' }) offerId: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ example: '2027-02-09T10:00:00+00:00' }) start: string;
  @ApiProperty({ example: '2027-02-08T11:00:00Z', description: 'When this customer could no longer take it.' }) expiresAt: string;
  @ApiProperty({ enum: ['queued', 'sending', 'sent', 'failed', 'unknown'], description: 'The text: queued until the worker sends it.' }) text: string;
  @ApiProperty({ type: 'integer', example: 1 }) segments: number;
  @ApiProperty({ enum: OFFER_STATUSES, description: 'The slot: open until someone takes it (taken), it could not be booked (lost), or every round lapsed (expired).' }) offer: string;
  @ApiNullableEnum(['won', 'gone', 'expired'], { description: "What this customer's reply got, if they replied." }) answer: string | null;
}

export class WaitlistEntryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ENTRY_STATUSES }) status: string;
  @ApiProperty({ type: CustomerView }) customer: CustomerView;
  @ApiProperty({ type: ReferralView }) referral: ReferralView;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) appointmentType: string;
  @ApiProperty({ type: [String], format: 'uuid' }) siteIds: string[];
  @ApiProperty({ example: '2027-02-08T09:00:00Z' }) earliest: string;
  @ApiProperty({ example: '2027-02-19T17:00:00Z' }) latest: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The organisation whose key added the entry; null for the admin key.' }) organisationId: string | null;
  @ApiProperty({ example: '2026-11-30T12:00:00.000Z' }) createdAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'When it was fulfilled or removed.' }) closedAt: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The booking a taken offer made.' }) bookingId: string | null;
  @ApiProperty({ type: [WaitlistOfferView], description: 'Freed slots texted to this customer, newest first.' }) offers: WaitlistOfferView[];
}

export class WaitlistView {
  @ApiProperty({ type: [WaitlistEntryView], description: 'Longest waiting first.' }) entries: WaitlistEntryView[];
}
