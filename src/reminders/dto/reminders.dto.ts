import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsId, IsLocalTime } from '../../common/http/validation';
import { MESSAGE_CHANNELS, MessageChannel } from '../domain/channels';
import { DELIVERY_STATUSES } from '../domain/delivery-status';
import { MESSAGE_STEPS, MessageStep } from '../domain/reminder-plan';

export class MessageView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: MESSAGE_CHANNELS }) channel: MessageChannel;
  @ApiProperty({ example: '+447700900123' }) recipient: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, description: "'unknown': a worker stopped mid-call; the message may have gone and is not sent again." }) status: string;
  @ApiProperty({ example: 'standard' }) variant: string;
  @ApiProperty() body: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'SMS segments billed.' }) segments: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Twilio MessageSid or the email Message-ID.' }) providerId: string | null;
  @ApiProperty({ type: String, nullable: true, example: '30005' }) errorCode: string | null;
  @ApiProperty({ type: String, nullable: true, example: '2027-01-02T10:00:03+00:00' }) sentAt: string | null;
  @ApiProperty() updatedAt: string;
}

export class ReminderStepView {
  @ApiProperty({ enum: MESSAGE_STEPS }) step: MessageStep;
  @ApiProperty({ type: 'integer', description: 'Raised each time the booking is moved or cancelled; only the latest version is live.' }) version: number;
  @ApiProperty({ type: String, nullable: true, example: '2027-01-02T10:00:00+00:00' }) sendAt: string | null;
  @ApiProperty({ enum: ['planned', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped', 'cancelled', 'superseded'] }) status: string;
  @ApiProperty({ type: String, nullable: true, example: 'AFTER_APPOINTMENT' }) reason: string | null;
  @ApiProperty({ type: [MessageView] }) messages: MessageView[];
}

export class BookingMessagesView {
  @ApiProperty({ format: 'uuid' }) bookingId: string;
  @ApiProperty({ example: 'standard', description: 'The wording variant this booking was given.' }) variant: string;
  @ApiProperty({ type: [ReminderStepView], description: 'Every step of every version of the plan, oldest first.' }) steps: ReminderStepView[];
}

export class ReminderPolicyDto {
  @ApiProperty({ type: 'integer', example: 2, description: 'Days before the appointment for the first reminder; 0 for none.' }) @IsInt() @Min(0) @Max(14) daysBefore: number;
  @ApiProperty({ example: '10:00', description: 'Local time of that reminder.' }) @IsLocalTime() daysBeforeAt: string;
  @ApiProperty({ type: 'integer', example: 3, description: 'Hours before the appointment for the same-day reminder; 0 for none.' }) @IsInt() @Min(0) @Max(12) hoursBefore: number;
  @ApiProperty({ example: '20:00' }) @IsLocalTime() quietFrom: string;
  @ApiProperty({ example: '08:00' }) @IsLocalTime() quietUntil: string;
  @ApiProperty({ type: 'integer', example: 60, description: 'A reminder closer than this to the one before is dropped.' }) @IsInt() @Min(0) @Max(1440) minimumGapMinutes: number;
}

export class ReminderPolicyView extends ReminderPolicyDto {
  @ApiProperty({ format: 'uuid' }) siteId: string;
  @ApiProperty({ description: 'False when the site has no policy of its own and the default applies.' }) own: boolean;
}

export class SaveTemplateDto {
  @ApiProperty({ enum: MESSAGE_STEPS }) @IsIn(MESSAGE_STEPS) step: MessageStep;
  @ApiProperty({ enum: MESSAGE_CHANNELS }) @IsIn(MESSAGE_CHANNELS) channel: MessageChannel;
  @ApiProperty({ example: 'standard' }) @IsString() @Length(1, 40) variant: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'Only for this site; without it, for every site.' }) @IsOptional() @IsId() siteId?: string;
  @ApiPropertyOptional({ description: 'Email only.', example: 'Booked: {{appointment}} on {{date}}' }) @IsOptional() @IsString() @Length(1, 200) subject?: string;
  @ApiProperty({
    example: 'Hi {{name}}, see you {{date}} at {{time}}, {{site}}, {{address}}.',
    description: 'Placeholders: {{name}} {{adviser}} {{appointment}} {{description}} {{duration}} {{bring}} {{site}} {{address}} {{date}} {{time}}.',
  })
  @IsString()
  @Length(1, 5000)
  body: string;
}

export class TemplateView {
  @ApiProperty({ enum: MESSAGE_STEPS }) step: MessageStep;
  @ApiProperty({ enum: MESSAGE_CHANNELS }) channel: MessageChannel;
  @ApiProperty() variant: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) siteId: string | null;
  @ApiProperty({ description: 'True for the built-in wording, used where nothing is saved.' }) builtIn: boolean;
  @ApiProperty({ type: String, nullable: true, example: 'Booked: {{appointment}} on {{date}}' }) subject: string | null;
  @ApiProperty() body: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'SMS: segments with the longest values the placeholders can take.' }) worstCaseSegments: number | null;
}
