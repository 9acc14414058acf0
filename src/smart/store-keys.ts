import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The session store's keys. Each is `<kind>:<HMAC-SHA256 of what it stands for>`, so reading the
 * store (a Redis dump, `KEYS *`, a replica) reveals no browser-session cookie, launch id, OAuth
 * `state` or patient id: a key cannot be turned back into the secret that would let someone use it.
 * The HMAC key is derived from NEEDLECHART_SESSION_SECRET with HKDF (node:crypto), separate from
 * the key that encrypts stored values; every instance sharing a store shares the secret, so all
 * derive the same keys.
 */
export class StoreKeys {
  private readonly key: Buffer;

  constructor(secret: Uint8Array) {
    if (secret.length < 32) throw new Error('The session secret must be at least 32 bytes');
    this.key = Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), 'needlechart store keys v1', 32));
  }

  /** HMAC over the kind and the parts, JSON-encoded so that no two different lists give the same input. */
  private mac(kind: string, ...parts: readonly string[]): string {
    return `${kind}:${createHmac('sha256', this.key).update(JSON.stringify([kind, ...parts])).digest('base64url')}`;
  }

  /** A browser session's record: it exists while the session does, and lists the session's launches and drafts. */
  session(sid: string): string {
    return this.mac('session', sid);
  }

  /** A launch waiting for its callback, by the OAuth `state` sent to the EHR. */
  state(state: string): string {
    return this.mac('state', state);
  }

  /** A completed launch: found only with both the browser session that made it and its id. */
  launch(sid: string, launchId: string): string {
    return this.mac('launch', sid, launchId);
  }

  /** Who the EHR says the launch's signed-in user is (read once per launch): found only with the browser session and the launch id. */
  launchUser(sid: string, launchId: string): string {
    return this.mac('launch-user', sid, launchId);
  }

  /** The server copy of an unsaved visit form, per browser session, patient and encounter. */
  draft(sid: string, patient: string, encounter: string): string {
    return this.mac('draft', sid, patient, encounter);
  }

  /** A CDS client JWT already used, by its issuer and `jti`. */
  cdsJti(iss: string, jti: string): string {
    return this.mac('cds-jti', iss, jti);
  }

  /** A browser session's name in rate-limit buckets (kept in process memory): not its store key, not its cookie. */
  rateLimitTag(sid: string): string {
    return this.mac('rate', sid);
  }
}
