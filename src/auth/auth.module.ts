import { Module } from '@nestjs/common';
import { Authenticator } from './authenticator';

/** The authentication room: who a request is (its settings, AUTH_SETTINGS, come from the composition root). */
@Module({
  providers: [Authenticator],
  exports: [Authenticator],
})
export class AuthModule {}
