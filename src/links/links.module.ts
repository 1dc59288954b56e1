import { Global, Module } from '@nestjs/common';
import { CustomerLinks } from '../common/links/customer-links';
import { BookingsModule } from '../bookings/bookings.module';
import { RepliesModule } from '../replies/replies.module';
import { LinkPageController } from './link-page.controller';
import { LinksController } from './links.controller';
import { LinksService } from './links.service';

// Global for the CustomerLinks port alone, which reminders ask as each message is claimed
// without importing this feature. Apart from the page, which needs the replies' actions, so
// that the port's module imports nothing that needs the port.
@Global()
@Module({
  providers: [LinksService, { provide: CustomerLinks, useExisting: LinksService }],
  exports: [CustomerLinks, LinksService],
})
export class LinksModule {}

/** The page a personal link opens, at /b/<token>, and revoking a booking's links through the API. */
@Module({
  imports: [RepliesModule, BookingsModule],
  controllers: [LinkPageController, LinksController],
})
export class LinkPageModule {}
