import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { IsId, IsInstant } from '../../common/http/validation';
import { KEY_STATUSES, type KeyStatus } from '../../common/auth/key-lifecycle';
import { SCOPES, type Scope } from '../../common/auth/principal';
import { ORGANISATION_KINDS, type OrganisationKind } from '../entities/organisation.entity';

export class CreateOrganisationDto {
  @ApiProperty({ example: 'Birmingham Jobcentre Plus' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ enum: ORGANISATION_KINDS, example: 'jobcentre' })
  @IsIn(ORGANISATION_KINDS)
  kind: OrganisationKind;
}

export class CreateApiKeyDto {
  @ApiProperty({ enum: SCOPES, isArray: true, example: ['slots:read', 'bookings:write'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayUnique()
  @IsIn(SCOPES, { each: true })
  scopes: Scope[];

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The sites a key with sites:manage may manage (required with that scope, refused without it).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsId({ each: true })
  siteIds?: string[];

  @ApiPropertyOptional({ example: '2027-11-30T00:00:00Z', description: 'When the key stops working (ISO 8601 with an offset, in the future); it never expires without one.' })
  // Absent means never; null is refused rather than read as either.
  @ValidateIf((o) => o.expiresAt !== undefined)
  @IsInstant()
  expiresAt?: string;
}

export class OrganisationView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Birmingham Jobcentre Plus' }) name: string;
  @ApiProperty({ enum: ORGANISATION_KINDS }) kind: OrganisationKind;
}

export class ApiKeyCreatedView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'The key itself. It is shown only in this response: store it now.', example: 'cbk_3q2v...' }) key: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ type: [String], format: 'uuid', description: 'The sites it may manage (sites:manage keys).' }) siteIds: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it stops working; null for never.' }) expiresAt: string | null;
}

/** A key as its organisation's admin sees it later: everything but the secret, which is never shown again. */
export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: SCOPES, isArray: true }) scopes: Scope[];
  @ApiProperty({ type: [String], format: 'uuid', description: 'The sites it may manage (sites:manage keys).' }) siteIds: string[];
  @ApiProperty({ enum: KEY_STATUSES, description: 'Whether it works now: a revoked key is revoked even past its expiry.' }) status: KeyStatus;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it stops working; null for never.' }) expiresAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When it was last presented, to the minute (written at most once a minute); null if never.' }) lastUsedAt: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) revokedAt: string | null;
}
