import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { IsDateOrInstant, IsId } from '../../common/http/validation';
import { CODE_PATTERN } from '../../diaries/dto/diaries.dto';

const asArray = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
// Digits become a number; anything else stays as sent, for IsInt to refuse by name.
const asInteger = ({ value }: { value: unknown }) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value);

export const MAX_SLOT_LIMIT = 100;

export class SlotSearchQuery {
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' })
  @Matches(CODE_PATTERN, { message: 'appointmentType must be an appointment type code' })
  appointmentType: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Repeat for several sites (up to 200).' })
  @IsOptional()
  @Transform(asArray)
  @IsArray()
  @ArrayMaxSize(200)
  @IsId({ each: true })
  siteId?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'The sites near this one (a jobcentre, say): itself, those of the same area, and those within NEAR_KM (10 km unless configured) of its point. ' +
      'Added to any siteId given.',
  })
  @IsOptional()
  @IsId()
  nearSiteId?: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Repeat for several advisers (up to 200).' })
  @IsOptional()
  @Transform(asArray)
  @IsArray()
  @ArrayMaxSize(200)
  @IsId({ each: true })
  adviserId?: string[];

  @ApiPropertyOptional({ example: '2027-01-04', description: 'A date (from its start, UK time) or a date-time with offset. Default: now.' })
  @IsOptional()
  @IsDateOrInstant()
  from?: string;

  @ApiPropertyOptional({ example: '2027-01-17', description: 'A date (to its end, UK time) or a date-time with offset. Default: 14 days after "from".' })
  @IsOptional()
  @IsDateOrInstant()
  to?: string;

  @ApiPropertyOptional({
    example: 'JCP-4471-2291',
    description:
      "The customer to be booked, as the booking would name them: full slots this customer would be admitted into under the site's overbooking policy " +
      'follow the free ones, flagged overbook (the earliest 20 at most). The risk shown assumes a jobcentre referral that is not mandatory; the booking decides again.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  customerReference?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_SLOT_LIMIT,
    example: 10,
    description: 'At most this many slots: the earliest, as the first of the answer without a limit. Without it, every slot in the range.',
  })
  @IsOptional()
  @Transform(asInteger)
  @IsInt()
  @Min(1)
  @Max(MAX_SLOT_LIMIT)
  limit?: number;
}

export class FreeNowQuery {
  @ApiProperty({ example: 'CAREERS_GUIDANCE' })
  @Matches(CODE_PATTERN, { message: 'appointmentType must be an appointment type code' })
  appointmentType: string;
}

export class SlotView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ format: 'uuid' }) adviserId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) roomId: string | null;
  @ApiProperty({ example: '2027-03-29T09:00:00+01:00' }) start: string;
  @ApiProperty({ example: '2027-03-29T10:00:00+01:00' }) end: string;
  @ApiProperty({ type: 'integer', example: 1 }) capacity: number;
  @ApiProperty({ type: 'integer', example: 1 }) remaining: number;
  @ApiProperty({ description: 'A full slot the customer named in the search would be admitted into as an extra, beyond its capacity.' }) overbook: boolean;
  @ApiProperty({ type: Number, nullable: true, example: 0.08, description: 'For an overbook slot, the chance of a collision once the customer is in.' }) overbookRisk: number | null;
}

export class SlotListView {
  @ApiProperty({
    type: [SlotView],
    description: 'Earliest first across every site and adviser searched (ties by adviser id); with customerReference, the overbook slots after the free ones.',
  })
  slots: SlotView[];
}
