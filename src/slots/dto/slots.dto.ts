import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, Matches } from 'class-validator';
import { IsDateOrInstant, IsId } from '../../common/http/validation';
import { CODE_PATTERN } from '../../diaries/dto/diaries.dto';

const asArray = ({ value }: { value: unknown }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);

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
}

export class SlotListView {
  @ApiProperty({ type: [SlotView] }) slots: SlotView[];
}
