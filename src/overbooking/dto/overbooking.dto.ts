import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches, registerDecorator, ValidationArguments } from 'class-validator';
import { OVERBOOKING_MODES, OverbookingPolicyInput, POLICY_BOUNDS, POLICY_DEFAULTS, policyProblems } from '../domain/policy';

/** Checks one field with the domain's own rules (src/overbooking/domain/policy.ts), so the bounds live in one place. */
const PolicyRule = () => (target: object, propertyName: string) =>
  registerDecorator({
    name: 'policyRule',
    target: target.constructor,
    propertyName,
    options: { message: (args: ValidationArguments) => `${args.property} ${policyProblems(args.object as OverbookingPolicyInput).find((p) => p.field === args.property)?.message}` },
    validator: { validate: (_: unknown, args: ValidationArguments) => !policyProblems(args.object as OverbookingPolicyInput).some((p) => p.field === args.property) },
  });

export class OverbookingPolicyDto {
  @ApiProperty({ enum: OVERBOOKING_MODES, example: 'risk', description: 'off: never. overlap: the next appointment may start overlapMinutes before the previous ends. risk: one more into a full slot while the chance that more turn up than can be seen stays at or below maxRisk.' })
  @PolicyRule()
  mode: OverbookingPolicyInput['mode'];

  @ApiPropertyOptional({ type: 'integer', minimum: POLICY_BOUNDS.overlapMinutes.min, maximum: POLICY_BOUNDS.overlapMinutes.max, default: POLICY_DEFAULTS.overlapMinutes })
  @IsOptional()
  @PolicyRule()
  overlapMinutes?: number;

  @ApiPropertyOptional({ type: Number, exclusiveMinimum: true, minimum: 0, maximum: POLICY_BOUNDS.maxRisk.max, default: POLICY_DEFAULTS.maxRisk, example: 0.1 })
  @IsOptional()
  @PolicyRule()
  maxRisk?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: POLICY_BOUNDS.maxExtraPerSession.max, default: POLICY_DEFAULTS.maxExtraPerSession })
  @IsOptional()
  @PolicyRule()
  maxExtraPerSession?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: POLICY_BOUNDS.maxExtraPerDay.max, default: POLICY_DEFAULTS.maxExtraPerDay })
  @IsOptional()
  @PolicyRule()
  maxExtraPerDay?: number;

  @ApiPropertyOptional({ type: Number, minimum: 0, maximum: POLICY_BOUNDS.noOverbookWithinHours.max, default: POLICY_DEFAULTS.noOverbookWithinHours })
  @IsOptional()
  @PolicyRule()
  noOverbookWithinHours?: number;

  @ApiPropertyOptional({ default: POLICY_DEFAULTS.pooled, description: 'Judge the risk across every session of this appointment type at the site starting in that hour, whose advisers see a customer who finds their own busy. Unpooled, customers predicted to miss wait longer when they come: see the simulation.' })
  @IsOptional()
  @PolicyRule()
  pooled?: boolean;

  @ApiPropertyOptional({ example: 'SKILLS_HEALTH_CHECK', description: 'A policy for this appointment type only; without it, the site-wide policy.' })
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'appointmentType must be an appointment type code' })
  appointmentType?: string;
}

export class OverbookingPolicyQuery {
  @ApiPropertyOptional({ example: 'SKILLS_HEALTH_CHECK', description: "That type's own policy; the site-wide one without it." })
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{1,39}$/, { message: 'appointmentType must be an appointment type code' })
  appointmentType?: string;
}

export class OverbookingPolicyView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ type: String, nullable: true, example: null }) appointmentType: string | null;
  @ApiProperty({ enum: OVERBOOKING_MODES }) mode: string;
  @ApiProperty({ type: 'integer' }) overlapMinutes: number;
  @ApiProperty() maxRisk: number;
  @ApiProperty({ type: 'integer' }) maxExtraPerSession: number;
  @ApiProperty({ type: 'integer' }) maxExtraPerDay: number;
  @ApiProperty() noOverbookWithinHours: number;
  @ApiProperty() pooled: boolean;
  @ApiProperty({ type: 'integer', description: 'Raised by every change; 0 for the default (off), never set.' }) version: number;
  @ApiProperty({ type: String, nullable: true }) updatedAt: string | null;
}

export class PolicyChangeView {
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ type: String, nullable: true }) appointmentType: string | null;
  @ApiProperty() changedAt: string;
  @ApiProperty({ enum: ['organisation', 'admin'] }) actorType: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId: string | null;
  @ApiProperty({ type: 'object', nullable: true, additionalProperties: true, description: 'The policy before (null for the first).' }) before: Record<string, unknown> | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) after: Record<string, unknown>;
}

export class PolicyChangesView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ type: [PolicyChangeView] }) changes: PolicyChangeView[];
}
