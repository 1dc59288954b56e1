import { Module } from '@nestjs/common';
import { OverbookingController } from './overbooking.controller';
import { OverbookingService } from './overbooking.service';

@Module({ controllers: [OverbookingController], providers: [OverbookingService] })
export class OverbookingModule {}
