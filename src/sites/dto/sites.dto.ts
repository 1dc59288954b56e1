import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsObject, IsOptional, IsString, Length, Matches, Max, Min, ValidateIf, ValidateNested } from 'class-validator';
import { ApiNullableRef } from '../../common/http/openapi';
import { IsLocalDate, IsLocalTime, IsTimeZone } from '../../common/http/validation';
import { AffectedBookingView } from '../../bookings/dto/bookings.dto';
import { BANK_HOLIDAY_REGIONS, type BankHolidayRegion } from '../domain/bank-holidays';
import { SITE_KINDS, type SiteKind } from '../entities/site.entity';

// UK postcodes: outward code, space optional, inward code.
const POSTCODE = /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i;

export class DayHoursDto {
  @ApiProperty({ example: '09:00' }) @IsLocalTime() open: string;
  @ApiProperty({ example: '17:00' }) @IsLocalTime() close: string;
}

// IsOptional lets a null day through, and the site keeps it as sent: it means closed, as a day left out does.
const CLOSED = { required: false, description: 'Left out or null: closed that day.' };

export class OpeningHoursDto {
  @ApiNullableRef(DayHoursDto, CLOSED) @IsOptional() @IsObject() @ValidateNested() @Type(() => DayHoursDto) MON?: DayHoursDto;
  @ApiNullableRef(DayHoursDto, CLOSED) @IsOptional() @IsObject() @ValidateNested() @Type(() => DayHoursDto) TUE?: DayHoursDto;
  @ApiNullableRef(DayHoursDto, CLOSED) @IsOptional() @IsObject() @ValidateNested() @Type(() => DayHoursDto) WED?: DayHoursDto;
  @ApiNullableRef(DayHoursDto, CLOSED) @IsOptional() @IsObject() @ValidateNested() @Type(() => DayHoursDto) THU?: DayHoursDto;
  @ApiNullableRef(DayHoursDto, CLOSED) @IsOptional() @IsObject() @ValidateNested() @Type(() => DayHoursDto) FRI?: DayHoursDto;
  @ApiNullableRef(DayHoursDto, CLOSED) @IsOptional() @IsObject() @ValidateNested() @Type(() => DayHoursDto) SAT?: DayHoursDto;
  @ApiNullableRef(DayHoursDto, CLOSED) @IsOptional() @IsObject() @ValidateNested() @Type(() => DayHoursDto) SUN?: DayHoursDto;
}

const NUMBER = { allowNaN: false, allowInfinity: false };

/** Where a site is, for searches of the sites near a jobcentre (GET /v1/slots?nearSiteId=). */
export class SiteLocationDto {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'South London',
    description: 'The area people call it by (null: none); sites of one area are near each other whatever the distance. Spaces are tidied; case is ignored when areas are compared.',
  })
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 100)
  area?: string | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: -90, maximum: 90, example: 51.4452, description: 'WGS84 degrees; with longitude, or neither.' })
  @IsOptional()
  @IsNumber(NUMBER)
  @Min(-90)
  @Max(90)
  latitude?: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, minimum: -180, maximum: 180, example: -0.0209, description: 'WGS84 degrees; with latitude, or neither.' })
  @IsOptional()
  @IsNumber(NUMBER)
  @Min(-180)
  @Max(180)
  longitude?: number | null;
}

export class CreateSiteDto extends PartialType(SiteLocationDto) {
  @ApiProperty({ example: 'Lewisham Jobcentre Plus' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ enum: SITE_KINDS, example: 'jobcentre' }) @IsIn(SITE_KINDS) kind: SiteKind;
  @ApiProperty({ example: '6 Rushey Green, Catford, London' }) @IsString() @Length(1, 500) address: string;
  @ApiProperty({ example: 'SE6 4JF' }) @IsString() @Matches(POSTCODE, { message: 'postcode must be a UK postcode' }) postcode: string;
  @ApiPropertyOptional({ example: 'Europe/London', default: 'Europe/London' }) @IsOptional() @IsTimeZone() timezone?: string;
  @ApiPropertyOptional({ type: OpeningHoursDto, description: 'Local opening hours per weekday; a weekday left out is closed. Omit for no restriction.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => OpeningHoursDto)
  openingHours?: OpeningHoursDto;
  @ApiPropertyOptional({ type: 'integer', example: 0, default: 0, description: 'Slots closer than this to now are not offered.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20160)
  minNoticeMinutes?: number;
  @ApiPropertyOptional({ enum: BANK_HOLIDAY_REGIONS, default: 'ENG', description: 'Whose bank holidays close the site.' })
  @IsOptional()
  @IsIn(BANK_HOLIDAY_REGIONS)
  bankHolidays?: BankHolidayRegion;
}

export class CreateRoomDto {
  @ApiProperty({ example: 'Interview room 2' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ type: 'integer', example: 1 }) @IsInt() @Min(1) @Max(500) capacity: number;
}

export class CreateClosureDto {
  @ApiProperty({ example: '2027-02-15', description: 'Local date the site is shut.' }) @IsLocalDate() date: string;
  @ApiProperty({ example: 'Building maintenance' }) @IsString() @Length(1, 500) reason: string;
}

export class SiteView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: SITE_KINDS }) kind: SiteKind;
  @ApiProperty() address: string;
  @ApiProperty() postcode: string;
  @ApiProperty({ example: 'Europe/London' }) timezone: string;
  @ApiNullableRef(OpeningHoursDto, { description: 'Local opening hours per weekday (a weekday left out is closed), or null for no restriction.' })
  openingHours: OpeningHoursDto | null;
  @ApiProperty({ type: 'integer' }) minNoticeMinutes: number;
  @ApiProperty({ enum: BANK_HOLIDAY_REGIONS }) bankHolidays: BankHolidayRegion;
  @ApiProperty({ type: String, nullable: true, example: 'South London' }) area: string | null;
  @ApiProperty({ type: Number, nullable: true, example: 51.4452 }) latitude: number | null;
  @ApiProperty({ type: Number, nullable: true, example: -0.0209 }) longitude: number | null;
}

export class RoomView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'integer' }) capacity: number;
}

export class ClosureView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ example: '2027-02-15' }) date: string;
  @ApiProperty() reason: string;
  @ApiProperty({ type: [AffectedBookingView], description: 'Bookings on that day: kept, and flagged as needing rebooking.' })
  affectedBookings: AffectedBookingView[];
}
