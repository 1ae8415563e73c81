import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { sessionsSocketBrowserScript } from '@identity/sessions-socket';
import { Public } from '../http/auth/route-access.decorators';

/**
 * Serves the web UI's client of the socket (`/sessions-socket.js`), built from the typed
 * helper of `@identity/sessions-socket` (so the page holds no copy of the contract), beside
 * the socket.io browser client that socket.io itself serves at `/socket.io/socket.io.min.js`.
 * It lives with the gateway because it changes with the contract, not with the pages.
 */
@Controller()
@Public()
export class SessionsSocketScriptController {
  @Get('sessions-socket.js')
  script(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('application/javascript').send(sessionsSocketBrowserScript());
  }
}
