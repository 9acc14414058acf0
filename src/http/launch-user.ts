import type { SignedInUser } from '../fhir/signed-in-user.js';
import type { SealedJson } from '../smart/sealed-json.js';
import type { SessionRegistry } from '../smart/session-registry.js';
import type { SessionStore } from '../smart/session-store.js';
import type { StoreKeys } from '../smart/store-keys.js';
import type { LaunchAccess } from './launch-access.js';

/** As long as a launch lives (smart-client LAUNCH_TTL_S): the user does not change within a launch. */
const USER_TTL_S = 12 * 3600;

/** What the launch names as the signed-in user (fhirUser and the id_token's name), as the readers take it. */
export function launchUserOf(access: LaunchAccess): { fhirUser?: string; idTokenName?: string } {
  const { fhirUser, userName } = access.launch.context;
  return { ...(fhirUser ? { fhirUser } : {}), ...(userName ? { idTokenName: userName } : {}) };
}

/**
 * Keeps who may save in a launch beside the launch on the server (sealed, in the session store, so
 * every instance behind a load balancer finds it): read from the EHR once per launch, with the chart
 * open, or on the first save when no chart open came first.
 */
export class LaunchUsers {
  constructor(
    private readonly store: SessionStore,
    private readonly sealer: SealedJson,
    private readonly keys: StoreKeys,
    private readonly sessions: SessionRegistry,
  ) {}

  /**
   * Keeps `user` for the launch (under an HMAC key, listed with the browser session so sign-out
   * deletes it); a transient failure is not kept, so the next save reads again.
   */
  async remember(sid: string, launchId: string, user: SignedInUser): Promise<void> {
    const key = this.keys.launchUser(sid, launchId);
    if (!user.ok && user.transient) {
      await this.store.delete(key);
      return;
    }
    await this.store.set(key, await this.sealer.seal(user), USER_TTL_S);
    await this.sessions.attach(sid, key);
  }

  /** The launch's user as remembered, else `load()` (then remembered). */
  async of(sid: string, launchId: string, load: () => Promise<SignedInUser>): Promise<SignedInUser> {
    const sealed = await this.store.get(this.keys.launchUser(sid, launchId));
    if (sealed) return this.sealer.open<SignedInUser>(sealed);
    const user = await load();
    await this.remember(sid, launchId, user);
    return user;
  }
}
