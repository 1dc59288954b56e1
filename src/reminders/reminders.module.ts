import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../common/config/config';
import { publicUrl } from '../common/http/public-url';
import { QueueModule } from '../common/queue/queue.module';
import { EmailChannel, SmsChannel } from './channels/channel';
import { LoggedEmail, SmtpEmail } from './channels/smtp.email';
import { LoggedSms, TwilioSms } from './channels/twilio.sms';
import { DeliveryService } from './delivery.service';
import { OutboxRelay } from './outbox.relay';
import { ReminderProcessor } from './reminder.processor';
import { ReminderPlanner } from './reminder-planner.service';
import { RemindersController } from './reminders.controller';
import { RemindersService } from './reminders.service';
import { TwilioStatusService } from './twilio-status.service';
import { WebhooksController } from './webhooks.controller';

const smsChannel = (config: AppConfig): SmsChannel => {
  if (!config.TWILIO_ACCOUNT_SID || !config.TWILIO_AUTH_TOKEN || !config.TWILIO_FROM) return new LoggedSms();
  return new TwilioSms({
    accountSid: config.TWILIO_ACCOUNT_SID,
    authToken: config.TWILIO_AUTH_TOKEN,
    from: config.TWILIO_FROM,
    apiUrl: config.TWILIO_API_URL,
    statusCallback: (messageId) => publicUrl(config, `/v1/webhooks/twilio/status?messageId=${messageId}`),
  });
};

const emailChannel = (config: AppConfig): EmailChannel =>
  config.SMTP_URL ? new SmtpEmail(config.SMTP_URL, config.MAIL_FROM, new URL(config.PUBLIC_BASE_URL).hostname) : new LoggedEmail();

@Module({
  controllers: [RemindersController, WebhooksController],
  imports: [QueueModule],
  providers: [
    ReminderPlanner,
    OutboxRelay,
    DeliveryService,
    ReminderProcessor,
    RemindersService,
    TwilioStatusService,
    { provide: SmsChannel, useFactory: smsChannel, inject: [APP_CONFIG] },
    { provide: EmailChannel, useFactory: emailChannel, inject: [APP_CONFIG] },
  ],
  exports: [ReminderPlanner, OutboxRelay, QueueModule, TwilioStatusService, SmsChannel, RemindersService],
})
export class RemindersModule {}
