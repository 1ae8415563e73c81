import { join } from 'node:path';
import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../http/auth/route-access.decorators';
import { ProblemException } from '../http/problem/problem';
import { STRENGTH_MODULE } from './strength-module';
import { loadVendorScripts, type VendorScript } from './vendor-scripts';

/**
 * Files are sent relative to this root: `send` refuses paths with a dot-directory in them, and
 * only the part below `root` is looked at (a build under `.test-build/` must serve too).
 */
const STATIC_DIR = join(__dirname, 'static');

/**
 * The small account web UI: static pages that talk to the REST API in cookie mode. No
 * inline script or style, so the strict Content-Security-Policy holds.
 */
@Controller()
@Public()
export class WebController {
  private readonly vendor: ReadonlyMap<string, VendorScript> = loadVendorScripts();

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
    res.sendFile('app.js', { root: STATIC_DIR });
  }

  @Get('app.css')
  style(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile('app.css', { root: STATIC_DIR });
  }

  @Get('strength.mjs')
  strength(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript').send(STRENGTH_MODULE);
  }

  @Get('favicon.svg')
  favicon(@Res() res: Response): void {
    res.setHeader('Cache-Control', 'public, max-age=86400');
    res.type('image/svg+xml').sendFile('favicon.svg', { root: STATIC_DIR });
  }

  /** Browsers ask for it on their own; the SVG is the icon (every current browser reads it). */
  @Get('favicon.ico')
  faviconIco(@Res() res: Response): void {
    this.favicon(res);
  }

  /** Third-party browser code from the installed packages (see `loadVendorScripts`). */
  @Get('vendor/*path')
  vendorScript(@Req() req: Request, @Res() res: Response): void {
    const script = this.vendor.get(req.path);
    if (!script) throw new ProblemException(404, 'not_found', 'No such file.');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type(script.contentType).send(script.body);
  }

  private page(res: Response, file: string): void {
    // Pages carry no secrets, but a reset page URL holds a token: keep it out of caches.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.sendFile(file, { root: STATIC_DIR });
  }
}
