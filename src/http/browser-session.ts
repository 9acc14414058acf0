import { randomBytes } from 'node:crypto';
import { parse } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';

export const SESSION_COOKIE = 'nc_sid';

/**
 * The browser session: an opaque random id in a cookie that page script cannot read. Inside an EHR
 * iframe the app is a third-party context, where only `SameSite=None; Secure` cookies are sent, and
 * Chromium partitions them (`Partitioned`). The cookie holds no token: tokens stay on the server.
 * A launch is bound to this id, and each tab's launch has its own id, so two launches never mix.
 */
export function browserSession(): RequestHandler {
  return (req, res, next) => {
    let sid = parse(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (!sid || !/^[A-Za-z0-9_-]{32,64}$/.test(sid)) {
      sid = randomBytes(32).toString('base64url');
      res.cookie(SESSION_COOKIE, sid, { httpOnly: true, secure: true, sameSite: 'none', partitioned: true, path: '/', maxAge: 12 * 3600 * 1000 });
    }
    res.locals.sid = sid;
    next();
  };
}

export function sessionId(res: Response): string {
  return res.locals.sid as string;
}

/** The launch a page is working in: sent by the page as a header (per tab), never taken from a cookie. */
export function launchIdOf(req: Request): string | undefined {
  const value = req.get('x-launch-id');
  return value && /^[A-Za-z0-9_-]{16,64}$/.test(value) ? value : undefined;
}
