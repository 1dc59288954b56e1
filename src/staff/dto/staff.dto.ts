import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { IsEmailAddress, IsId } from '../../common/http/validation';
import { ROLES, type Role } from '../domain/roles';

export class CreateStaffDto {
  @ApiProperty({ example: 'Jo Okafor' }) @IsString() @Length(1, 200) name: string;
  @ApiProperty({ example: 'jo.okafor@jcp.example', description: 'What they sign in with; unique, whatever its case.' }) @IsEmailAddress() email: string;
  @ApiProperty({ format: 'uuid' }) @IsId() organisationId: string;
  @ApiProperty({ enum: ROLES, example: 'work_coach' }) @IsIn(ROLES) role: Role;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'The sites a site_manager manages (required for that role, refused for the others).' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ArrayUnique()
  @IsId({ each: true })
  managedSiteIds?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: "An adviser's own diary: the adviser (of the same organisation) whose sessions their day page shows. Refused for the other roles." })
  @IsOptional()
  @IsId()
  adviserId?: string;

  @ApiPropertyOptional({
    example: 'plum anchor tidal lantern',
    description: 'At least 12 characters (three random words make a good one). Leave it out for someone who will sign in through single sign-on only.',
  })
  @IsOptional()
  @IsString()
  @Length(12, 200)
  password?: string;
}

export class StaffView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Jo Okafor' }) name: string;
  @ApiProperty({ example: 'jo.okafor@jcp.example' }) email: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: [String], format: 'uuid' }) managedSiteIds: string[];
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) adviserId: string | null;
  @ApiProperty({ description: 'Whether they can sign in with a password.' }) hasPassword: boolean;
}
