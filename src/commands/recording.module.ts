import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { EventStoreModule } from '../event-store/event-store.module';
import { RecordOffenderEventsHandler } from './record-events/record-offender-events.handler';

/** The recording room: the one write path (the command bus finds its handler; nothing is exported). */
@Module({
  imports: [EventStoreModule, AuditModule],
  providers: [RecordOffenderEventsHandler],
})
export class RecordingModule {}
