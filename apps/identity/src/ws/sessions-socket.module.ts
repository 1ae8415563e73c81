import { Module } from '@nestjs/common';
import { SessionsModule } from '@identity/sessions';
import { TokensModule } from '@identity/tokens';
import { RevocationPush } from './revocation-push';
import { SessionsGateway } from './sessions.gateway';
import { SessionsSocketScriptController } from './sessions-socket-script.controller';
import { SocketAuthenticator } from './socket-authenticator';
import { SocketExpiry } from './socket-expiry';

/**
 * The socket.io face: the `/sessions` gateway that pushes hard-logout events. Needs, from
 * global modules, the config, the `EventBus` (AuditModule) and the kv store; the socket.io
 * server itself (websocket only, origin check, Redis adapter) is `IdentitySocketAdapter`.
 */
@Module({
  imports: [TokensModule, SessionsModule],
  controllers: [SessionsSocketScriptController],
  providers: [SessionsGateway, SocketAuthenticator, SocketExpiry, RevocationPush],
  exports: [RevocationPush],
})
export class SessionsSocketModule {}
