import { join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../http/auth/route-access.decorators';

/** Sent relative to its directory: `send` refuses a dot-directory anywhere else in the path. */
const STATIC_DIR = join(__dirname, '../web/static');

/**
 * Serves the web UI's plain-JS mirror of the socket contract (`/sessions-socket.js`) beside
 * the socket.io browser client that socket.io itself serves at `/socket.io/socket.io.min.js`.
 * It lives with the gateway because it changes with the contract, not with the pages.
 */
@Controller()
@Public()
export class SessionsSocketScriptController {
  @Get('sessions-socket.js')
  script(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile('sessions-socket.js', { root: STATIC_DIR });
  }
}
