import { parse } from 'cookie';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { KnownSession, SessionRegistry } from '../smart/session-registry.js';
import { SESSION_TTL_S } from '../smart/session-registry.js';

/**
 * The cookie's name: with the `__Host-` prefix when NeedleChart is served over https, so the browser
 * accepts it only from this exact host, Secure, with Path=/ and no Domain (a sibling subdomain cannot
 * plant or overwrite it). Plain http on loopback (development, tests) cannot carry the prefix.
 * https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#name-the-__host-prefix
 */
export function sessionCookieName(publicUrl: string | undefined): string {
  return publicUrl?.startsWith('https:') ? '__Host-nc_sid' : 'nc_sid';
}

/**
 * Inside an EHR iframe the app is a third-party context, where only `SameSite=None; Secure` cookies
 * are sent, and Chromium partitions them (`Partitioned`). Page script cannot read it (`HttpOnly`).
 */
const COOKIE: CookieOptions = { httpOnly: true, secure: true, sameSite: 'none', partitioned: true, path: '/' };

/**
 * The browser session: an opaque random id in a cookie, issued by the server and recorded in the
 * store (SessionRegistry); a cookie with any other value is replaced by a fresh id. The cookie holds
 * no token: tokens stay on the server. A launch is bound to this id, and each tab's launch has its
 * own id, so two launches never mix.
 */
export class BrowserSessions {
  readonly cookieName: string;

  constructor(private readonly registry: SessionRegistry, publicUrl: string | undefined) {
    this.cookieName = sessionCookieName(publicUrl);
  }

  private async recognised(req: Request, res: Response): Promise<KnownSession | undefined> {
    if (!('browserSession' in res.locals)) res.locals.browserSession = await this.registry.find(parse(req.headers.cookie ?? '')[this.cookieName]);
    return res.locals.browserSession as KnownSession | undefined;
  }

  /** Looks up the cookie's session without issuing one (for the rate limiter and sign-out); read it with knownSession(res). */
  recognise(): RequestHandler {
    return async (req, res, next) => {
      await this.recognised(req, res);
      next();
    };
  }

  /** Gives the request a session: the cookie's, when the server issued it and it is live, else a new one in a new cookie. */
  ensure(): RequestHandler {
    return async (req, res, next) => {
      let sid = (await this.recognised(req, res))?.sid;
      if (!sid) {
        sid = await this.registry.issue();
        res.cookie(this.cookieName, sid, { ...COOKIE, maxAge: SESSION_TTL_S * 1000 });
      }
      res.locals.sid = sid;
      next();
    };
  }

  /** Ends the request's session on the server (launches, drafts, record) and clears the cookie. */
  async signOut(req: Request, res: Response): Promise<void> {
    const session = await this.recognised(req, res);
    if (session) await this.registry.end(session.sid);
    res.clearCookie(this.cookieName, COOKIE);
  }
}

/** The browser session of a request that went through BrowserSessions.ensure(). */
export function sessionId(res: Response): string {
  return res.locals.sid as string;
}

/** The live browser session the request's cookie names, if any (after BrowserSessions.recognise()). */
export function knownSession(res: Response): KnownSession | undefined {
  return res.locals.browserSession as KnownSession | undefined;
}

/** The launch a page is working in: sent by the page as a header (per tab), never taken from a cookie. */
export function launchIdOf(req: Request): string | undefined {
  const value = req.get('x-launch-id');
  return value && /^[A-Za-z0-9_-]{16,64}$/.test(value) ? value : undefined;
}
