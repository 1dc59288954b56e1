import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsId } from '../../common/http/validation';
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
}
