import { randomBytes, type webcrypto } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import * as oauth from 'oauth4webapi';
import { issAllowed } from './iss-allowlist.js';
import { discover, DiscoveryError, isLoopback, type SmartConfiguration } from './smart-configuration.js';
import type { SealedJson } from './sealed-json.js';
import { splitScopes, toV1 } from './scopes.js';
import type { SessionRegistry } from './session-registry.js';
import type { SessionStore } from './session-store.js';
import type { StoreKeys } from './store-keys.js';
import type { Logger } from '../infra/logger.js';

/** Why a launch was refused: each has a page that tells the user what happened and what to do. */
export type LaunchProblem = 'unknown-iss' | 'discovery' | 'state' | 'authorization' | 'token' | 'id-token' | 'no-context' | 'expired';

export class LaunchRefused extends Error {
  constructor(readonly problem: LaunchProblem, message: string) {
    super(message);
    this.name = 'LaunchRefused';
  }
}

export interface LaunchContextData {
  /** `chart` (a visit, with patient and encounter) or `compliance` (a staff login, no patient). */
  readonly intent: 'chart' | 'compliance';
  /** Patient id (no type prefix), as SMART sends it; empty for a compliance login. */
  readonly patient: string;
  readonly encounter: string;
  /** `Practitioner/<id>` (from the id_token's fhirUser), when the EHR sent one. */
  readonly fhirUser?: string;
  /** The user's name from the id_token (`name` claim), to prefill the performer. */
  readonly userName?: string;
  /** SMART `appContext` from the token response (e.g. the visit a CDS card pointed at). */
  readonly appContext?: string;
  readonly needPatientBanner: boolean;
  readonly scope: string;
}

interface PendingLaunch {
  readonly intent: 'chart' | 'compliance';
  readonly sid: string;
  readonly iss: string;
  readonly config: SerializedConfig;
  readonly verifier: string;
  readonly scope: string;
  readonly standalone: boolean;
}

interface SerializedConfig {
  readonly issuer?: string;
  readonly jwksUri?: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
}

export interface StoredLaunch {
  readonly sid: string;
  readonly iss: string;
  readonly config: SerializedConfig;
  readonly context: LaunchContextData;
  readonly tokens: { readonly access: string; readonly refresh?: string; readonly expiresAt: number };
}

export interface ClientCredentials {
  readonly clientId: string;
  readonly auth: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  readonly secret?: string;
  readonly privateKey?: { readonly key: webcrypto.CryptoKey; readonly kid?: string };
}

export interface SmartClientOptions {
  readonly client: ClientCredentials;
  readonly redirectUri: () => string;
  readonly scopes: { readonly ehr: readonly string[]; readonly standalone: readonly string[]; readonly compliance: readonly string[] };
  /** FHIR bases allowed to launch the app: exact bases or `*`-segment patterns (iss-allowlist.ts). */
  readonly issAllowlist: () => readonly string[];
  readonly store: SessionStore;
  readonly sealer: SealedJson;
  /** Store keys: HMACs of the state, the browser session and the launch id, never those in clear. */
  readonly keys: StoreKeys;
  /** Where a completed launch is listed under its browser session, so sign-out can delete it. */
  readonly sessions: SessionRegistry;
  readonly timeoutMs?: number;
  /** Where failed sign-in steps are logged (the EHR's error codes, never a token). */
  readonly logger?: Logger;
}

const STATE_TTL_S = 600;
const LAUNCH_TTL_S = 12 * 3600;
/** Refresh this long before expiry, so a request never goes out with a token about to lapse. */
const REFRESH_MARGIN_MS = 60_000;

const normalize = (url: string): string => url.replace(/\/+$/, '');

/** The EHR's own words for a failed step, trimmed for a page and a log line. */
function ehrError(error: string, description?: string, status?: number): { error: string; description?: string; status?: number; text: string } {
  const code = error.slice(0, 100);
  const said = description?.slice(0, 300);
  return { error: code, ...(said ? { description: said } : {}), ...(status ? { status } : {}), text: said ? `${code}: ${said}` : code };
}

/** The signed-in user as `Type/id` (the id_token's fhirUser may be an absolute URL on the FHIR server). */
function fhirUserOf(claims: JWTPayload | undefined): string | undefined {
  return typeof claims?.fhirUser === 'string' ? claims.fhirUser.replace(/^.*\/(Practitioner|PractitionerRole|Patient|RelatedPerson|Person)\//, '$1/') : undefined;
}

/** Why jose refused a token, without the token: the error code and the claim it names. */
function joseReason(error: unknown): string {
  const e = error as { code?: string; claim?: string; message?: string };
  return [e.code, e.claim ? `claim ${e.claim}` : undefined].filter(Boolean).join(', ') || 'not a valid token';
}

/**
 * The token response without its id_token (and the id_token apart), so oauth4webapi's strict
 * id_token checks cannot fail a refresh that the user was already signed in for.
 */
async function splitIdToken(response: Response): Promise<{ response: Response; idToken?: string }> {
  if (!response.ok || !response.headers.get('content-type')?.includes('json')) return { response };
  const body = (await response.json()) as Record<string, unknown>;
  const { id_token: idToken, ...rest } = body;
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  return { response: new Response(JSON.stringify(rest), { status: response.status, headers }), ...(typeof idToken === 'string' ? { idToken } : {}) };
}

/**
 * SMART App Launch 2.2, EHR and standalone launch, as a confidential or public client. Built on
 * oauth4webapi (PKCE, state, token requests, client authentication) and jose (id_token signature
 * against the issuer's JWKS). Access tokens are never parsed: some EHRs issue opaque ones.
 */
export class SmartClient {
  private readonly refreshing = new Map<string, Promise<StoredLaunch>>();

  constructor(private readonly options: SmartClientOptions) {}

  private as(config: SerializedConfig): oauth.AuthorizationServer {
    return {
      issuer: config.issuer ?? new URL(config.tokenEndpoint).origin,
      authorization_endpoint: config.authorizationEndpoint,
      token_endpoint: config.tokenEndpoint,
      ...(config.jwksUri ? { jwks_uri: config.jwksUri } : {}),
    };
  }

  private clientAuth(tokenEndpoint: string): oauth.ClientAuth {
    const c = this.options.client;
    if (c.auth === 'client_secret_basic') return oauth.ClientSecretBasic(c.secret ?? '');
    // Some servers do not form-decode the Basic header (RFC 6749 §2.3.1 says to): the secret in the body avoids that.
    if (c.auth === 'client_secret_post') return oauth.ClientSecretPost(c.secret ?? '');
    if (c.auth === 'private_key_jwt' && c.privateKey) {
      // SMART asymmetric client authentication: aud is the token URL (oauth4webapi defaults to the issuer) and typ is JWT.
      return oauth.PrivateKeyJwt(
        { key: c.privateKey.key, ...(c.privateKey.kid ? { kid: c.privateKey.kid } : {}) },
        {
          [oauth.modifyAssertion]: (header, payload) => {
            header.typ = 'JWT';
            payload.aud = tokenEndpoint;
          },
        },
      );
    }
    return oauth.None();
  }

  private requestOptions(url: string): { [oauth.allowInsecureRequests]?: boolean; signal: AbortSignal } {
    return { signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000), ...(isLoopback(url) ? { [oauth.allowInsecureRequests]: true } : {}) };
  }

  /**
   * Starts a launch: checks `iss` against the allow-list (no redirect anywhere else), discovers the
   * endpoints, keeps the PKCE verifier and launch state on the server keyed by `state`, bound to the
   * browser session `sid`, and returns the authorization URL.
   */
  async begin(params: { iss: string; launch?: string; sid: string; intent?: 'chart' | 'compliance' }): Promise<string> {
    const intent = params.intent ?? 'chart';
    const iss = normalize(params.iss);
    if (!issAllowed(iss, this.options.issAllowlist())) throw new LaunchRefused('unknown-iss', `NeedleChart is not registered with the FHIR server ${iss}. Ask your administrator to add it to the allow-list.`);
    let config: SmartConfiguration;
    try {
      config = await discover(iss, this.options.timeoutMs ?? 5000);
    } catch (error) {
      throw new LaunchRefused('discovery', error instanceof DiscoveryError ? error.message : 'The EHR could not be reached');
    }
    const standalone = params.launch === undefined;
    const caps = config.capabilities;
    if (caps.size && !caps.has(standalone ? 'launch-standalone' : 'launch-ehr')) throw new LaunchRefused('discovery', `The EHR does not support the ${standalone ? 'standalone' : 'EHR'} launch`);
    const wanted = intent === 'compliance' ? this.options.scopes.compliance : standalone ? this.options.scopes.standalone : this.options.scopes.ehr;
    const scopes = caps.has('permission-v2') || !caps.size ? wanted : [...new Set(wanted.flatMap(toV1))];
    const state = oauth.generateRandomState();
    const verifier = oauth.generateRandomCodeVerifier();
    const serialized: SerializedConfig = { authorizationEndpoint: config.authorizationEndpoint, tokenEndpoint: config.tokenEndpoint, ...(config.issuer ? { issuer: config.issuer } : {}), ...(config.jwksUri ? { jwksUri: config.jwksUri } : {}) };
    const pending: PendingLaunch = { intent, sid: params.sid, iss, config: serialized, verifier, scope: scopes.join(' '), standalone };
    await this.options.store.set(this.options.keys.state(state), await this.options.sealer.seal(pending), STATE_TTL_S);
    const url = new URL(config.authorizationEndpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.options.client.clientId);
    url.searchParams.set('redirect_uri', this.options.redirectUri());
    url.searchParams.set('scope', scopes.join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('aud', iss);
    if (params.launch !== undefined) url.searchParams.set('launch', params.launch);
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier));
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  /**
   * Finishes a launch at the redirect URI: state (single use, same browser), code exchange, id_token,
   * context. Returns the launch id. The state is checked against the browser session before it is
   * used up: a callback from another browser is refused and leaves the real sign-in able to finish.
   */
  async complete(params: { query: URLSearchParams; sid: string }): Promise<{ id: string; intent: 'chart' | 'compliance' }> {
    const unknown = () => new LaunchRefused('state', 'This sign-in link is unknown, was already used, or expired. Launch NeedleChart again from the EHR.');
    const state = params.query.get('state');
    const stateKey = state ? this.options.keys.state(state) : undefined;
    const sealed = stateKey ? await this.options.store.get(stateKey) : undefined;
    if (!stateKey || !sealed) throw unknown();
    const pending = await this.options.sealer.open<PendingLaunch>(sealed);
    if (pending.sid !== params.sid) throw new LaunchRefused('state', 'This sign-in was started in another browser session. Launch NeedleChart again from the EHR.');
    // Single use: of two callbacks of this browser racing, only the one that takes the state goes on.
    if (!(await this.options.store.take(stateKey))) throw unknown();
    if (params.query.get('error')) {
      const said = ehrError(params.query.get('error') ?? '', params.query.get('error_description') ?? undefined);
      this.options.logger?.warn('sign-in step failed', { step: 'authorization', error: said.error, error_description: said.description });
      throw new LaunchRefused('authorization', `The EHR refused the sign-in at the authorization step: ${said.text}`);
    }
    const as = this.as(pending.config);
    const client: oauth.Client = { client_id: this.options.client.clientId };
    let result: oauth.TokenEndpointResponse;
    try {
      const callback = oauth.validateAuthResponse(as, client, params.query, state ?? undefined);
      const response = await oauth.authorizationCodeGrantRequest(as, client, this.clientAuth(as.token_endpoint ?? ''), callback, this.options.redirectUri(), pending.verifier, this.requestOptions(as.token_endpoint ?? ''));
      result = await oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: splitScopes(pending.scope).includes('openid') && !!pending.config.jwksUri });
    } catch (error) {
      throw this.failed('token', 'code exchange', error);
    }
    let claims: JWTPayload | undefined;
    if (result.id_token && pending.config.jwksUri) {
      try {
        claims = await this.verifyIdToken(result.id_token, pending.config);
      } catch (error) {
        this.options.logger?.warn('sign-in step failed', { step: 'id_token', reason: joseReason(error) });
        throw new LaunchRefused('id-token', `The identity token from the EHR did not verify (${joseReason(error)})`);
      }
    }
    const patient = typeof result.patient === 'string' ? result.patient : undefined;
    const encounter = typeof result.encounter === 'string' ? result.encounter : undefined;
    if (pending.intent === 'chart' && (!patient || !encounter)) {
      throw new LaunchRefused('no-context', `The EHR launched NeedleChart without ${!patient ? 'a patient' : 'an encounter'}. Open the patient's visit in the EHR and launch NeedleChart from it.`);
    }
    const fhirUser = fhirUserOf(claims);
    const launch: StoredLaunch = {
      sid: params.sid,
      iss: pending.iss,
      config: pending.config,
      context: { intent: pending.intent, patient: patient ?? '', encounter: encounter ?? '', ...(fhirUser ? { fhirUser } : {}), ...(typeof claims?.name === 'string' ? { userName: claims.name } : {}), ...(typeof result.appContext === 'string' ? { appContext: result.appContext } : {}), needPatientBanner: result.need_patient_banner === true, scope: result.scope ?? pending.scope },
      tokens: { access: result.access_token, ...(result.refresh_token ? { refresh: result.refresh_token } : {}), expiresAt: Date.now() + (result.expires_in ?? 300) * 1000 },
    };
    const id = randomBytes(24).toString('base64url');
    const key = this.options.keys.launch(params.sid, id);
    await this.options.store.set(key, await this.options.sealer.seal(launch), LAUNCH_TTL_S);
    await this.options.sessions.attach(params.sid, key);
    return { id, intent: pending.intent };
  }

  /**
   * A sign-in step that failed at the EHR: what the EHR said (RFC 6749 `error` and
   * `error_description`), logged with the step and shown to the user (the page escapes it).
   */
  private failed(problem: LaunchProblem, step: string, error: unknown): LaunchRefused {
    const said = error instanceof oauth.ResponseBodyError ? ehrError(error.error, error.error_description, error.status) : undefined;
    const reason = said?.text ?? (error as Error | undefined)?.message ?? 'no answer';
    this.options.logger?.warn('sign-in step failed', { step, ...(said ? { error: said.error, error_description: said.description, status: said.status } : { reason: reason.slice(0, 200) }) });
    return new LaunchRefused(problem, `The EHR did not complete the sign-in at the ${step} step: ${reason}`);
  }

  /** The id_token's claims, verified against the issuer's JWKS: signature, issuer, audience (our client id), expiry. */
  private async verifyIdToken(idToken: string, config: SerializedConfig): Promise<JWTPayload> {
    const { payload } = await jwtVerify(idToken, createRemoteJWKSet(new URL(config.jwksUri ?? '')), { issuer: this.as(config).issuer, audience: this.options.client.clientId });
    return payload;
  }

  /**
   * A refreshed id_token, when the EHR sends one: if it verifies, it must name the same user as the
   * launch (another user means someone else signed in: the launch ends); if it does not verify, the
   * user verified at launch is kept and the reason is logged.
   */
  private async checkRefreshedIdToken(idToken: string, launch: StoredLaunch): Promise<void> {
    if (!launch.config.jwksUri) return;
    try {
      const fhirUser = fhirUserOf(await this.verifyIdToken(idToken, launch.config));
      if (fhirUser && launch.context.fhirUser && fhirUser !== launch.context.fhirUser) {
        this.options.logger?.warn('sign-in step failed', { step: 'refresh', reason: 'the refreshed id_token names another user' });
        throw new LaunchRefused('expired', 'The EHR now reports another signed-in user. Launch NeedleChart again from the EHR.');
      }
    } catch (error) {
      if (error instanceof LaunchRefused) throw error;
      this.options.logger?.info('refreshed id_token not used; the user verified at launch is kept', { step: 'refresh', reason: joseReason(error) });
    }
  }

  /** The launch `id`, if it exists and belongs to browser session `sid`. */
  async load(id: string, sid: string): Promise<StoredLaunch | undefined> {
    const sealed = await this.options.store.get(this.options.keys.launch(sid, id));
    if (!sealed) return undefined;
    const launch = await this.options.sealer.open<StoredLaunch>(sealed);
    return launch.sid === sid ? launch : undefined;
  }

  /** The launch with a current access token: refreshed first when the token is about to expire. */
  async fresh(id: string, launch: StoredLaunch): Promise<StoredLaunch> {
    if (launch.tokens.expiresAt - Date.now() > REFRESH_MARGIN_MS || !launch.tokens.refresh) return launch;
    return this.refresh(id, launch);
  }

  /**
   * Refreshes once per launch at a time (concurrent callers share the result). Each refresh token is
   * used once; the new one replaces it. If another instance already used it, the stored launch has
   * the new tokens and is returned.
   */
  refresh(id: string, launch: StoredLaunch): Promise<StoredLaunch> {
    const running = this.refreshing.get(id);
    if (running) return running;
    const work = (async () => {
      const refreshToken = launch.tokens.refresh;
      if (!refreshToken) throw new LaunchRefused('expired', 'The EHR session has expired. Launch NeedleChart again from the EHR.');
      const as = this.as(launch.config);
      const client: oauth.Client = { client_id: this.options.client.clientId };
      try {
        const response = await oauth.refreshTokenGrantRequest(as, client, this.clientAuth(as.token_endpoint ?? ''), refreshToken, this.requestOptions(as.token_endpoint ?? ''));
        // The user was verified at launch: a refreshed id_token is optional (the public SMART launcher's
        // has no aud), so it is checked here, apart from the token response, and never fails the refresh.
        const { response: withoutIdToken, idToken } = await splitIdToken(response);
        const result = await oauth.processRefreshTokenResponse(as, client, withoutIdToken);
        if (idToken) await this.checkRefreshedIdToken(idToken, launch);
        const next: StoredLaunch = {
          ...launch,
          context: { ...launch.context, scope: result.scope ?? launch.context.scope },
          tokens: { access: result.access_token, ...(result.refresh_token ? { refresh: result.refresh_token } : {}), expiresAt: Date.now() + (result.expires_in ?? 300) * 1000 },
        };
        await this.options.store.set(this.options.keys.launch(launch.sid, id), await this.options.sealer.seal(next), LAUNCH_TTL_S);
        return next;
      } catch (error) {
        if (error instanceof LaunchRefused) throw error;
        const stored = await this.load(id, launch.sid);
        if (stored && stored.tokens.refresh !== refreshToken) return stored;
        const refused = this.failed('expired', 'refresh', error);
        throw new LaunchRefused('expired', `The EHR session has expired. Launch NeedleChart again from the EHR. (${refused.message})`);
      }
    })();
    this.refreshing.set(id, work);
    void work.finally(() => this.refreshing.delete(id)).catch(() => undefined);
    return work;
  }
}
