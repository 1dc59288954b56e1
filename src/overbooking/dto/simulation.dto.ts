import { ApiProperty, ApiPropertyOptional, OmitType, PickType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, IsObject, IsOptional, Matches, Max, Min, ValidateNested } from 'class-validator';
import { REFERRAL_SOURCES } from '../../bookings/dto/bookings.dto';
import { CODE_PATTERN } from '../../diaries/dto/diaries.dto';
import { FAIRNESS_LIMIT, MIN_RECORDED_OUTCOMES, REPLAY_DEMAND, REPLAY_WEEKS, RISK_CURVE } from '../domain/replay';
import { OverbookingPolicyDto, OverbookingPolicyView } from './overbooking.dto';

/** A candidate policy: the fields of PUT overbooking-policy, checked by the same rules; the type is the simulation's own. */
export class SimulatedPolicyDto extends OmitType(OverbookingPolicyDto, ['appointmentType'] as const) {}

export class SimulationDto {
  @ApiProperty({ type: SimulatedPolicyDto, description: 'The policy to try, as PUT overbooking-policy takes it (without appointmentType).' })
  @IsObject()
  @ValidateNested()
  @Type(() => SimulatedPolicyDto)
  policy: SimulatedPolicyDto;

  @ApiPropertyOptional({ type: 'integer', minimum: REPLAY_WEEKS.min, maximum: REPLAY_WEEKS.max, default: REPLAY_WEEKS.default, description: 'Whole weeks replayed, the latest before this one.' })
  @IsOptional()
  @IsInt()
  @Min(REPLAY_WEEKS.min)
  @Max(REPLAY_WEEKS.max)
  weeks?: number;

  @ApiPropertyOptional({ example: 'SKILLS_HEALTH_CHECK', description: 'The appointment type replayed; without it, the one with the most recorded outcomes at the site in those weeks.' })
  @IsOptional()
  @Matches(CODE_PATTERN, { message: 'appointmentType must be an appointment type code' })
  appointmentType?: string;

  @ApiPropertyOptional({
    type: Number,
    minimum: REPLAY_DEMAND.min,
    maximum: REPLAY_DEMAND.max,
    default: REPLAY_DEMAND.default,
    description:
      'Booking requests per seat of the diary, an assumption: the records show only the demand that fitted, not the customers a full diary turned away. ' +
      "Each day's sessions meet this many requests per seat: that day's recorded appointments, topped up with others drawn at random (seeded) from the replayed weeks.",
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(REPLAY_DEMAND.min)
  @Max(REPLAY_DEMAND.max)
  demand?: number;
}

export class SimulatedPolicySettingsView extends PickType(OverbookingPolicyView, ['mode', 'overlapMinutes', 'maxRisk', 'maxExtraPerSession', 'maxExtraPerDay', 'noOverbookWithinHours', 'pooled'] as const) {}

export class ReferralSourceWaitView {
  @ApiProperty({ enum: REFERRAL_SOURCES }) referralSource: string;
  @ApiProperty({ type: 'integer' }) seen: number;
  @ApiProperty({ example: 6.5 }) meanWaitMinutes: number;
}

export class SimulationFairnessView {
  @ApiProperty({ type: Number, nullable: true, description: 'Mean wait of the tenth of customers who came with the lowest predicted show probability; null when nobody came.' })
  atRiskDecileMeanWaitMinutes: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.96, description: 'That over the mean wait of everybody who came; null when nobody waited.' })
  atRiskDecileRatio: number | null;
  @ApiProperty({ example: FAIRNESS_LIMIT, description: 'The most the ratio may be (issue 8: those predicted to miss must not pay for overbooking in waiting).' })
  limit: number;
  @ApiProperty({ description: 'The ratio is at or under the limit, or nobody waited.' }) withinLimit: boolean;
  @ApiProperty({ type: [ReferralSourceWaitView] }) byReferralSource: ReferralSourceWaitView[];
}

export class SimulationRunView {
  @ApiProperty({ example: 'risk 10% pooled' }) label: string;
  @ApiProperty({ type: SimulatedPolicySettingsView }) policy: SimulatedPolicySettingsView;
  @ApiProperty({ example: 0.91, description: "Customers seen times their session's length (over its capacity), over the advisers' session time: above 1 when extras are seen in overtime." })
  utilisation: number;
  @ApiProperty({ type: 'integer', description: 'Customers seen over the replayed weeks.' }) seen: number;
  @ApiProperty({ example: 62.5 }) seenPerWeek: number;
  @ApiProperty({ type: 'integer', description: 'Requests booked, extras included.' }) booked: number;
  @ApiProperty({ type: 'integer', description: 'Bookings admitted beyond a session’s capacity.' }) extras: number;
  @ApiProperty({ type: 'integer', description: 'Requests that found no seat the policy would give.' }) turnedAway: number;
  @ApiProperty({ type: 'integer', description: 'Sessions to which more customers came than they seat.' }) collisions: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Over customers who came, from the later of their arrival and their appointment time; null when nobody came.' })
  meanWaitMinutes: number | null;
  @ApiProperty({ type: Number, nullable: true, description: '95th percentile (nearest rank).' }) p95WaitMinutes: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Share of customers who came who waited at all.' }) waitedShare: number | null;
  @ApiProperty({ description: 'Session minutes in which an adviser saw nobody.' }) idleAdviserMinutes: number;
  @ApiProperty({ description: 'Minutes advisers spent seeing customers outside their sessions.' }) overtimeMinutes: number;
  @ApiProperty({ type: SimulationFairnessView }) fairness: SimulationFairnessView;
}

export class SimulationInputsView {
  @ApiProperty({ type: 'integer', description: `Appointments with an outcome recorded in those weeks (at least ${MIN_RECORDED_OUTCOMES}); cancellations in advance are not among them.` })
  recordedOutcomes: number;
  @ApiProperty({ type: 'integer', description: "Sessions today's diary lays over those weeks (without an overlap)." }) sessions: number;
  @ApiProperty({ type: 'integer' }) seats: number;
  @ApiProperty({ type: 'integer', description: 'Booking requests replayed: seats times assumedDemand, day by day.' }) requests: number;
  @ApiProperty({ example: 0.76, description: "The requests' mean predicted show probability: what admission assumes of the customers already booked." }) showRate: number;
}

export class SimulationView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ example: 'SKILLS_HEALTH_CHECK' }) appointmentType: string;
  @ApiProperty({ example: 'Europe/London' }) timezone: string;
  @ApiProperty({ example: '2026-10-05', description: 'First local date replayed (a Monday).' }) from: string;
  @ApiProperty({ example: '2026-11-29', description: 'Last local date replayed (a Sunday).' }) to: string;
  @ApiProperty({ type: 'integer' }) weeks: number;
  @ApiProperty({ example: REPLAY_DEMAND.default, description: 'The booking requests per seat assumed (see the request’s demand).' }) assumedDemand: number;
  @ApiProperty({ type: SimulationInputsView }) replayed: SimulationInputsView;
  @ApiProperty({ type: SimulationRunView, description: 'The candidate policy.' }) policy: SimulationRunView;
  @ApiProperty({ type: SimulationRunView, description: 'No overbooking, on the same requests.' }) off: SimulationRunView;
  @ApiProperty({ type: [SimulationRunView], description: `Risk mode at ${RISK_CURVE.map((t) => `${t * 100}%`).join(', ')}, with the candidate's other settings.` })
  curve: SimulationRunView[];
}
