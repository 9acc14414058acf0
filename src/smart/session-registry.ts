import { randomBytes } from 'node:crypto';
import type { SessionStore } from './session-store.js';
import type { StoreKeys } from './store-keys.js';

/** As long as the browser keeps the cookie, and as long as a launch lives. */
export const SESSION_TTL_S = 12 * 3600;
/** A session no launch has completed in yet lives as long as a launch's `state`: nothing else needs it. */
const UNSIGNED_TTL_S = 600;
/** The member that marks a record the server created itself when it issued the id. */
const ISSUED = 'issued';
/** 32 random bytes, base64url: the only shape the server issues. */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** A browser session the server issued and that has not ended. */
export interface KnownSession {
  readonly sid: string;
  /** A launch completed in this session: someone signed in through the EHR. */
  readonly signedIn: boolean;
}

/**
 * The browser sessions the server issued. Only an id recorded here is accepted (a cookie with any
 * other value is replaced, so a planted cookie cannot fix a victim's session). The record — a set in
 * the store under an HMAC of the id — also lists the store keys of the session's launches and
 * drafts, so that signing out deletes them all, on whichever instance the sign-out lands.
 *
 * Chosen over an HMAC-signed id because a record can be revoked: after sign-out (or expiry) the old
 * cookie is worthless, even if it was copied.
 */
export class SessionRegistry {
  constructor(private readonly store: SessionStore, private readonly keys: StoreKeys) {}

  /**
   * A new browser-session id, recorded as issued. The record lives 10 minutes (a sign-in's time), and
   * 12 hours once a launch completes in it, so ids handed to clients that never sign in do not pile up.
   */
  async issue(): Promise<string> {
    const sid = randomBytes(32).toString('base64url');
    await this.store.addToSet(this.keys.session(sid), ISSUED, UNSIGNED_TTL_S);
    return sid;
  }

  /** The session, when `sid` is one the server issued and it has not ended or expired. */
  async find(sid: string | undefined): Promise<KnownSession | undefined> {
    if (!sid || !SESSION_ID.test(sid)) return undefined;
    const members = await this.store.members(this.keys.session(sid));
    if (!members.includes(ISSUED)) return undefined;
    return { sid, signedIn: members.some((m) => m.startsWith('launch:')) };
  }

  /**
   * Lists a store key (a launch, a draft) under the session, for sign-out, and keeps the record at
   * least 12 hours from now. Should the record have expired meanwhile, the set made here lacks the
   * issued mark, so it never revives the session.
   */
  async attach(sid: string, key: string): Promise<void> {
    await this.store.addToSet(this.keys.session(sid), key, SESSION_TTL_S);
  }

  /** Ends the session: deletes its record first (the id stops working at once), then its launches and drafts. */
  async end(sid: string): Promise<void> {
    const record = this.keys.session(sid);
    const members = await this.store.members(record);
    await this.store.delete(record);
    await Promise.all(members.filter((m) => m !== ISSUED).map((key) => this.store.delete(key)));
  }
}
