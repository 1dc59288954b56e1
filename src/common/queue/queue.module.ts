import { Module } from '@nestjs/common';
import { Queues } from './queues';

/** The process's one Queues: every feature that queues work shares its queues and connections. */
@Module({ providers: [Queues], exports: [Queues] })
export class QueueModule {}
