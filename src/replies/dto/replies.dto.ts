import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { ApiNullableRef } from '../../common/http/openapi';

export const FOLLOW_UP_REASONS = ['not_understood', 'move_requested', 'unanswerable'] as const;

export class FollowUpBookingView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '2027-01-04T10:00:00+00:00' }) start: string;
  @ApiProperty({ enum: ['booked', 'cancelled'] }) status: string;
  @ApiProperty({ example: 'JCP-4471' }) customerReference: string;
  @ApiProperty({ example: 'Sam Taylor' }) customerName: string;
}

export class FollowUpView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: FOLLOW_UP_REASONS, description: 'not_understood: no intent could be read; move_requested: the customer wants another time and none could be offered; unanswerable: several bookings, and the customer opted out of texts in the same message so cannot be asked which.' })
  reason: string;
  @ApiProperty({ example: '+447911123456', description: 'The number the reply came from (E.164).' }) from: string;
  @ApiProperty({ example: 'can i come later in the day' }) body: string;
  @ApiProperty({ example: '2026-11-30T12:00:00.000Z' }) receivedAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'What the service texted back.' }) reply: string | null;
  @ApiNullableRef(FollowUpBookingView, { description: "The customer's booking at this site the reply is most likely about: the next one, or the last if none is upcoming." })
  booking: FollowUpBookingView | null;
}

export class FollowUpsView {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ type: [FollowUpView], description: 'Open follow-ups, oldest first.' }) followUps: FollowUpView[];
}

export class ResolveFollowUpDto {
  @ApiPropertyOptional({ example: 'Phoned back, moved to Thursday' }) @IsOptional() @IsString() @Length(1, 1000) note?: string;
}
