import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { AppConfig } from './common/config/config';
import { Clock } from './common/time/clock';
import { jsonBody } from './common/http/json-body';

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
  for (const handler of jsonBody()) app.use(handler);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Careers adviser booking API')
      .setDescription(
        'Find and book careers adviser sessions across co-location sites (jobcentres, colleges, libraries, community venues). ' +
          'Authenticate with "Authorization: Bearer <API key>". Errors are JSON {code, message, details?} with a stable code.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
