import { Module } from '@nestjs/common';
import { StaffController } from './staff.controller';
import { StaffService } from './staff.service';
import { SessionStore } from './sessions';

@Module({
  controllers: [StaffController],
  providers: [StaffService, SessionStore],
  exports: [StaffService, SessionStore],
})
export class StaffModule {}
