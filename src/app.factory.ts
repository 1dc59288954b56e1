import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { AppConfig } from './common/config/config';
import { Clock } from './common/time/clock';
import { jsonBody } from './common/http/json-body';
import { withSharedAnswers } from './common/http/openapi';
import { configureViews } from './web/views';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Builds the HTTP application; shared by the server, the demo and the end-to-end tests.
 * Each closes it its own way (the server on a signal, the demo before the embedded
 * database under it, the tests when done), so none of that is set up here: two closes
 * of one app run its shutdown hooks twice and end the database pool twice.
 */
export async function createApp(config: AppConfig, options: { logger?: boolean; clock?: Clock } = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.with(config, options.clock), {
    logger: options.logger === false ? false : LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1),
    bodyParser: false,
  });
  app.set('trust proxy', config.TRUST_PROXY);
  for (const handler of jsonBody()) app.use(handler);
  configureViews(app);
  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  return app;
}

/**
 * The OpenAPI document partners generate their clients from, read off the controllers and
 * DTOs. It needs only the module graph, so the tests can also build it without a database
 * (NestFactory.create with preview: true).
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Careers adviser booking API')
      .setDescription(
        'Find and book careers adviser sessions across co-location sites (jobcentres, colleges, libraries, community venues). ' +
          'Authenticate with "Authorization: Bearer <API key>". Errors are JSON {code, message, details?} with a stable code.',
      )
      .setVersion('1')
      .addTag('organisations', 'Partner organisations and their API keys (admin).')
      .addTag('sites', 'Co-location sites, their rooms and closures.')
      .addTag('diaries', 'Appointment types, advisers, their weekly patterns and absences.')
      .addTag('slots', 'What can be booked, and who can see a customer now.')
      .addTag('bookings', 'Holds and bookings: make, read, cancel, reschedule.')
      .addTag('reminders', "A booking's confirmation and reminders; reminder policies and templates.")
      .addTag('attendance', 'Outcomes, booking histories, DNA insights and history imports.')
      .addTag('overbooking', 'How far a site admits bookings beyond capacity, set by its managers (scope sites:manage).')
      .addTag('replies', "Customers' SMS replies the service could not act on, listed per site for a person to follow up (scope sites:manage).")
      .addTag('waitlist', 'Customers waiting for a nearer time, offered slots that cancellations and moves free, by SMS (first reply of 1 wins).')
      .addTag('staff', 'Staff accounts for the pages under /app (admin); staff sign in there with a password.')
      .addTag('webhooks', 'Called by Twilio, not by API clients.')
      .addTag('health', 'Whether the service and what it depends on are up.')
      .addBearerAuth()
      .build(),
  );
  return withSharedAnswers(document);
}
