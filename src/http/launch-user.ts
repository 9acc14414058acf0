import type { SignedInUser } from '../fhir/signed-in-user.js';
import type { SealedJson } from '../smart/sealed-json.js';
import type { SessionStore } from '../smart/session-store.js';
import type { LaunchAccess } from './launch-access.js';

/** As long as a launch lives (smart-client LAUNCH_TTL_S): the user does not change within a launch. */
const USER_TTL_S = 12 * 3600;

const userKey = (launchId: string): string => `launch-user:${launchId}`;

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
  ) {}

  /** Keeps `user` for the launch; a transient failure is not kept, so the next save reads again. */
  async remember(launchId: string, user: SignedInUser): Promise<void> {
    if (!user.ok && user.transient) await this.store.delete(userKey(launchId));
    else await this.store.set(userKey(launchId), await this.sealer.seal(user), USER_TTL_S);
  }

  /** The launch's user as remembered, else `load()` (then remembered). */
  async of(launchId: string, load: () => Promise<SignedInUser>): Promise<SignedInUser> {
    const sealed = await this.store.get(userKey(launchId));
    if (sealed) return this.sealer.open<SignedInUser>(sealed);
    const user = await load();
    await this.remember(launchId, user);
    return user;
  }
}
