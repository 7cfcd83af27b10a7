import { Module } from '@nestjs/common';
import { CLOCK, type Clock } from '../config/clock';
import { STORAGE, type Storage } from '../event-store/storage';
import { AccessAudit } from './access-audit';

/** The access audit room: who read or was refused what, kept beside the read models. */
@Module({
  providers: [{ provide: AccessAudit, useFactory: (s: Storage, clock: Clock) => new AccessAudit(s.sql, clock), inject: [STORAGE, CLOCK] }],
  exports: [AccessAudit],
})
export class AuditModule {}
