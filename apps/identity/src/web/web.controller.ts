import { join } from 'node:path';
import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../http/auth/route-access.decorators';

const STATIC_DIR = join(__dirname, 'static');

/**
 * The small account web UI: static pages that talk to the REST API in cookie mode. No
 * inline script or style, so the strict Content-Security-Policy holds.
 */
@Controller()
@Public()
export class WebController {
  @Get()
  signIn(@Res() res: Response): void {
    this.page(res, 'index.html');
  }

  @Get('account')
  account(@Res() res: Response): void {
    this.page(res, 'account.html');
  }

  @Get('reset-password')
  resetPassword(@Res() res: Response): void {
    this.page(res, 'reset-password.html');
  }

  @Get('confirm-email-change')
  confirmEmailChange(@Res() res: Response): void {
    this.page(res, 'confirm-email-change.html');
  }

  @Get('app.js')
  script(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(STATIC_DIR, 'app.js'));
  }

  @Get('app.css')
  style(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(join(STATIC_DIR, 'app.css'));
  }

  private page(res: Response, file: string): void {
    // Pages carry no secrets, but a reset page URL holds a token: keep it out of caches.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.sendFile(join(STATIC_DIR, file));
  }
}
