import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional } from 'class-validator';
import { ApiNullableRef, NULL_ONLY } from '../../common/http/openapi';
import { IsId, IsLocalDate } from '../../common/http/validation';
import { INSIGHT_DIMENSIONS } from '../domain/insights';

const list = ({ value }: { value: unknown }) => (value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()));

export class InsightsQuery {
  @ApiProperty({ example: '2026-01-01', description: 'First local day (inclusive).' }) @IsLocalDate() from: string;
  @ApiProperty({ example: '2026-12-31', description: 'Last local day (inclusive); at most two years after from.' }) @IsLocalDate() to: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'Only these sites (repeat the parameter).' })
  @IsOptional()
  @Transform(({ value }) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]))
  @IsArray()
  @ArrayMaxSize(200)
  @IsId({ each: true })
  siteId?: string[];
  @ApiProperty({ type: [String], enum: INSIGHT_DIMENSIONS, example: ['site', 'weekday'], description: 'One or two dimensions, comma-separated or repeated.' })
  @Transform(list)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @IsIn(INSIGHT_DIMENSIONS, { each: true })
  groupBy: (typeof INSIGHT_DIMENSIONS)[number][];
}

export class OutcomeCountsView {
  @ApiProperty() attended: number;
  @ApiProperty() late: number;
  @ApiProperty() dna: number;
  @ApiProperty({ description: 'Cancelled on the day: neither attended nor a DNA.' }) cancelled_late: number;
  @ApiProperty() left_unseen: number;
}

export class IntervalView {
  @ApiProperty({ example: 0.18 }) low: number;
  @ApiProperty({ example: 0.27 }) high: number;
}

export class InsightGroupView {
  @ApiProperty({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'boolean' }, NULL_ONLY] },
    example: { site: '7b0c…', weekday: 1 },
    description: 'The value of each dimension grouped by; null where the source did not record it (e.g. imported rows have no reminder data).',
  })
  key: Record<string, string | number | boolean | null>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { site: 'Lewisham Library', weekday: 'Monday' }, description: 'The same values in words.' })
  labels: Record<string, string>;
  @ApiProperty({ description: 'Appointments not cancelled in advance.' }) bookings: number;
  @ApiProperty({ description: 'Cancelled in advance: reported apart, never counted as DNAs.' }) cancelledInAdvance: number;
  @ApiProperty({ type: OutcomeCountsView }) outcomes: OutcomeCountsView;
  @ApiProperty({ description: 'Bookings with no outcome recorded (including those still to come).' }) noOutcome: number;
  @ApiProperty({ type: Number, nullable: true, description: 'dna / (attended + late + left_unseen + dna); null when none of those.' }) dnaRate: number | null;
  @ApiNullableRef(IntervalView, { description: '95% Wilson interval of dnaRate.' }) dnaRateInterval: IntervalView | null;
}

export class InsightsView {
  @ApiProperty({ example: '2026-01-01' }) from: string;
  @ApiProperty({ example: '2026-12-31' }) to: string;
  @ApiProperty({ type: [String], enum: INSIGHT_DIMENSIONS }) groupBy: string[];
  @ApiProperty({ type: InsightGroupView, description: 'All the appointments in range together.' }) total: InsightGroupView;
  @ApiProperty({ type: [InsightGroupView] }) groups: InsightGroupView[];
}

export class ImportRejectionView {
  @ApiProperty({ example: 3, description: '1 for the first row (the first line under a CSV header).' }) row: number;
  @ApiProperty({ example: 'UNKNOWN_SITE' }) code: string;
  @ApiProperty({ example: 'No site with id 6f1d…' }) message: string;
}

export class ImportResultView {
  @ApiProperty({ description: 'Rows stored now.' }) accepted: number;
  @ApiProperty({ description: 'Rows whose legacyId was imported before: left as they were.' }) unchanged: number;
  @ApiProperty({ type: [ImportRejectionView] }) rejected: ImportRejectionView[];
}
