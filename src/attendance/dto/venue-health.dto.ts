import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiNullableRef } from '../../common/http/openapi';
import { DEFAULT_HEALTH_WEEKS, DRY_UP_RULE } from '../domain/venue-health';

const MIN_WEEKS = DRY_UP_RULE.recentWeeks + DRY_UP_RULE.priorWeeks;

export class VenueHealthQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: MIN_WEEKS, maximum: 52, default: DEFAULT_HEALTH_WEEKS, description: 'Whole weeks to show, ending with the last one before this week.' })
  @IsOptional()
  // A query string's number, as a number; anything else is left for IsInt to refuse.
  @Transform(({ value }) => (typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(MIN_WEEKS)
  @Max(52)
  weeks?: number;
}

export class HealthWeekView {
  @ApiProperty({ example: '2026-11-16', description: 'The Monday, in the site\'s zone.' }) weekStarting: string;
  @ApiProperty({ example: 24, description: 'Bookings made that week for this site (referrals), whenever they are for, cancelled or not.' }) referrals: number;
  @ApiProperty({ example: 22, description: 'Appointments that week not cancelled in advance.' }) appointments: number;
  @ApiProperty({ example: 17, description: 'Customers who came: attended, late, or left unseen.' }) attended: number;
  @ApiProperty({ example: 4 }) dna: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.19, description: 'dna / (attended + dna); null with neither recorded.' }) dnaRate: number | null;
}

export class ReferralFlowView {
  @ApiProperty({ example: 4.5, description: `Bookings made per week in the last ${DRY_UP_RULE.recentWeeks} whole weeks.` }) recentWeekly: number;
  @ApiProperty({ example: 11.25, description: `Per week in the ${DRY_UP_RULE.priorWeeks} whole weeks before those.` }) priorWeekly: number;
  @ApiProperty({
    description: `Referrals are drying up: recentWeekly is under ${DRY_UP_RULE.share} of priorWeekly, and priorWeekly was at least ${DRY_UP_RULE.minPriorWeekly} (a quieter venue is not judged).`,
  })
  dryingUp: boolean;
}

export class VenueHealthView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ example: '2026-09-07', description: 'The first day shown (a Monday).' }) from: string;
  @ApiProperty({ example: '2026-11-29', description: 'The last day shown (a Sunday).' }) to: string;
  @ApiProperty({ type: [HealthWeekView], description: 'Oldest first, one per whole week, zeros included.' }) weeks: HealthWeekView[];
  @ApiNullableRef(ReferralFlowView, { description: 'Whether referrals are drying up, from the last ten weeks.' }) referralFlow: ReferralFlowView | null;
}
