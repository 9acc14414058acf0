import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { OAuth2Issuer, OAuth2Service } from 'oauth2-mock-server';
import { splitScopes } from '../smart/scopes.js';
import { escapeHtml } from '../infra/escape-html.js';
import { openidConfiguration, smartConfiguration } from './auth-discovery.js';
import { renderPage } from './pages.js';
import { registeredScopes } from './registered-scopes.js';

/** A client registered with the sandbox EHR, as an EHR administrator would register NeedleChart. */
export interface SandboxClient {
  readonly clientId: string;
  readonly redirectUris: readonly string[];
  readonly auth: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  readonly secret?: string;
  readonly jwks?: JSONWebKeySet;
  /**
   * The scopes this client may be granted (exact scopes, or resource scopes whose type may be `*`:
   * `patient/*.rs` covers `patient/Observation.r`). Asked-for scopes outside the registration are
   * dropped from the grant, as real EHRs do; see registered-scopes.ts.
   */
  readonly scopes: readonly string[];
}

/** What the EHR knows when it launches the app: the chart open, the user, and what the app may do. */
export interface LaunchContext {
  readonly patient: string;
  readonly encounter?: string;
  /** The signed-in user (`Practitioner/<id>`, `PractitionerRole/<id>`, `Patient/<id>`…); absent when the EHR names nobody. */
  readonly fhirUser?: string;
  /** False to leave the `name` claim out of the id_token, as some EHRs (and the public SMART launcher) do. */
  readonly nameClaim?: boolean;
  readonly needPatientBanner: boolean;
  /** Scopes the sandbox refuses even if asked (to test an app that degrades). */
  readonly deny?: readonly string[];
  /** SMART `appContext` handed to the app in the token response (from a CDS card's link). */
  readonly appContext?: string;
}

interface Pending {
  readonly client: SandboxClient;
  readonly redirectUri: string;
  /** Absent for Backend Services (client_credentials): a system token has no launch context. */
  readonly context?: LaunchContext;
  readonly scope: string;
  readonly expires: number;
}

export interface AccessClaims extends JWTPayload {
  readonly scope: string;
  readonly patient?: string;
  readonly encounter?: string;
  readonly fhirUser?: string;
  readonly client_id?: string;
}

export interface SandboxAuthOptions {
  readonly issuerUrl: () => string;
  readonly fhirBaseUrl: () => string;
  readonly clients: () => readonly SandboxClient[];
  readonly patientsForPicker: () => Promise<{ id: string; name: string; encounters: { id: string; label: string }[] }[]>;
  readonly practitioners: readonly { id: string; name: string }[];
  /** Staff who are not clinicians (the compliance officer): offered first when signing in without a patient. */
  readonly staff?: readonly { id: string; name: string; label: string }[];
  /** Access-token lifetime (default 3600 s); short ones let tests exercise refresh. */
  readonly tokenLifetimeSeconds?: number;
}

const CODE_TTL_MS = 60_000;
const LAUNCH_TTL_MS = 5 * 60_000;
const SUPPORTED_SCOPE = /^(launch|launch\/patient|launch\/encounter|openid|fhirUser|profile|online_access|offline_access|(patient|user|system)\/[A-Za-z*]+\.[a-z*]+)$/;

/**
 * The sandbox EHR's authorization server: oauth2-mock-server for issuing and signing tokens, wrapped
 * so it behaves like a real SMART EHR: registered clients and exact redirect URIs, PKCE S256 required,
 * `aud` checked, EHR launch ids resolved to launch context, a patient picker for standalone launch,
 * single-use codes and refresh tokens, client authentication (public, client_secret_basic, client_secret_post,
 * private_key_jwt), and the context (`patient`, `encounter`, `fhirUser`) in the token response.
 */
export class SandboxAuthServer {
  private readonly service: OAuth2Service;
  private readonly launches = new Map<string, { context: LaunchContext; expires: number }>();
  private readonly codes = new Map<string, Pending>();
  private readonly refreshTokens = new Map<string, Pending>();
  private readonly assertionIds = new Set<string>();
  private notBefore = 0;
  /**
   * Behaviours of EHRs we did not write, switched on by tests: the public SMART launcher's refreshed
   * id_token has no `aud`.
   */
  readonly quirks = { refreshIdTokenWithoutAud: false };
  /** The issuer's keys, imported once: they are made at start and never change, and importing them on every FHIR request cost the sandbox more than answering it. */
  private accessTokenKeys: ReturnType<typeof createLocalJWKSet> | undefined;

  private constructor(
    private readonly issuer: OAuth2Issuer,
    private readonly options: SandboxAuthOptions,
  ) {
    this.service = new OAuth2Service(issuer, {});
    this.service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, req: Request & { ncPending?: Omit<Pending, 'expires'> }) => {
      const code = redirect.url.searchParams.get('code');
      if (code && req.ncPending) this.codes.set(code, { ...req.ncPending, expires: Date.now() + CODE_TTL_MS });
    });
    this.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }, req: Request & { ncGrant?: Pending }) => {
      const grant = req.ncGrant;
      if (!grant) return;
      if (!grant.context) {
        Object.assign(token.payload, { scope: grant.scope, aud: this.options.fhirBaseUrl(), client_id: grant.client.clientId, sub: grant.client.clientId, jti: randomBytes(12).toString('base64url') });
        return;
      }
      const isIdToken = !('scope' in token.payload);
      if (isIdToken) {
        const user = grant.context.fhirUser;
        const name = grant.context.nameClaim === false ? undefined : [...this.options.practitioners, ...(this.options.staff ?? [])].find((p) => `Practitioner/${p.id}` === user)?.name;
        Object.assign(token.payload, { aud: grant.client.clientId, sub: user ?? 'anonymous', ...(user ? { fhirUser: `${this.options.fhirBaseUrl()}/${user}` } : {}), ...(name ? { name } : {}) });
        if (this.quirks.refreshIdTokenWithoutAud && (req.body as { grant_type?: string } | undefined)?.grant_type === 'refresh_token') delete token.payload.aud;
        return;
      }
      const lifetime = this.options.tokenLifetimeSeconds;
      if (lifetime) token.payload.exp = Number(token.payload.iat) + lifetime;
      Object.assign(token.payload, {
        jti: randomBytes(12).toString('base64url'),
        scope: grant.scope,
        aud: this.options.fhirBaseUrl(),
        client_id: grant.client.clientId,
        sub: grant.context.fhirUser ?? 'anonymous',
        ...(grant.context.patient ? { patient: grant.context.patient } : {}),
        ...(grant.context.encounter ? { encounter: grant.context.encounter } : {}),
        ...(grant.context.fhirUser ? { fhirUser: grant.context.fhirUser } : {}),
      });
    });
    this.service.on('beforeResponse', (response: { body: Record<string, unknown>; statusCode: number }, req: Request & { ncGrant?: Pending }) => {
      const grant = req.ncGrant;
      if (!grant || response.statusCode !== 200) return;
      const scopes = splitScopes(grant.scope);
      const body = response.body;
      if (!grant.context) {
        body.scope = grant.scope;
        body.expires_in = Math.min(300, this.options.tokenLifetimeSeconds ?? 300);
        return;
      }
      body.scope = grant.scope;
      if (grant.context.patient) body.patient = grant.context.patient;
      if (grant.context.encounter) body.encounter = grant.context.encounter;
      if (grant.context.appContext) body.appContext = grant.context.appContext;
      body.need_patient_banner = grant.context.needPatientBanner;
      if (this.options.tokenLifetimeSeconds) body.expires_in = this.options.tokenLifetimeSeconds;
      if (!scopes.includes('openid')) delete body.id_token;
      if (scopes.includes('online_access') || scopes.includes('offline_access')) {
        const refresh = randomBytes(32).toString('base64url');
        body.refresh_token = refresh;
        this.refreshTokens.set(refresh, { ...grant, expires: Date.now() + 24 * 3_600_000 });
      } else {
        delete body.refresh_token;
      }
    });
  }

  static async create(options: SandboxAuthOptions): Promise<SandboxAuthServer> {
    const issuer = new OAuth2Issuer();
    await issuer.keys.generate('RS256');
    return new SandboxAuthServer(issuer, options);
  }

  /** Registers an EHR launch (the EHR's opaque `launch` parameter) and returns its id. */
  createLaunch(context: LaunchContext): string {
    const id = randomBytes(16).toString('base64url');
    this.launches.set(id, { context, expires: Date.now() + LAUNCH_TTL_MS });
    return id;
  }

  /** Revokes every access token issued so far (an EHR ending sessions); refresh tokens stay valid. */
  revokeAccessTokens(): void {
    // Tokens carry whole-second iat: everything issued up to this second is revoked.
    this.notBefore = Math.floor(Date.now() / 1000) * 1000 + 1000;
  }

  /** Verifies an access token: signature against the issuer's keys, issuer, audience (the FHIR base), expiry. */
  async verifyAccessToken(token: string): Promise<AccessClaims> {
    this.issuer.url = this.options.issuerUrl();
    this.accessTokenKeys ??= createLocalJWKSet({ keys: this.issuer.keys.toJSON() as JSONWebKeySet['keys'] });
    const { payload } = await jwtVerify(token, this.accessTokenKeys, { issuer: this.options.issuerUrl(), audience: this.options.fhirBaseUrl() });
    if (typeof payload.scope !== 'string') throw new Error('token has no scope');
    if ((payload.iat ?? 0) * 1000 < this.notBefore) throw new Error('token revoked');
    return payload as AccessClaims;
  }

  /** `.well-known/smart-configuration` of the sandbox FHIR base (and of the issuer). */
  smartConfiguration(): Record<string, unknown> {
    return smartConfiguration(this.options.issuerUrl());
  }

  private errorRedirect(res: Response, redirectUri: string, state: unknown, error: string, description: string): void {
    const url = new URL(redirectUri);
    url.searchParams.set('error', error);
    url.searchParams.set('error_description', description);
    if (typeof state === 'string') url.searchParams.set('state', state);
    url.searchParams.set('iss', this.options.issuerUrl());
    res.redirect(url.href);
  }

  private async authorize(req: Request & { ncPending?: Omit<Pending, 'expires'> }, res: Response, next: NextFunction): Promise<void> {
    const q = req.query as Record<string, unknown>;
    const client = this.options.clients().find((c) => c.clientId === q.client_id);
    const redirectUri = typeof q.redirect_uri === 'string' ? q.redirect_uri : '';
    if (!client || !client.redirectUris.includes(redirectUri)) {
      res.status(400).type('html').send(renderPage('Authorization refused', `<p>Unknown client or a redirect URI that is not registered for it. The sandbox EHR does not redirect anywhere else.</p>`));
      return;
    }
    if (q.response_type !== 'code') return this.errorRedirect(res, redirectUri, q.state, 'unsupported_response_type', 'Only the authorization code flow is supported');
    if (q.code_challenge_method !== 'S256' || typeof q.code_challenge !== 'string') return this.errorRedirect(res, redirectUri, q.state, 'invalid_request', 'PKCE with code_challenge_method=S256 is required');
    if (q.aud !== this.options.fhirBaseUrl()) return this.errorRedirect(res, redirectUri, q.state, 'invalid_request', `aud must be the FHIR base URL ${this.options.fhirBaseUrl()}`);
    // Scopes the client is not registered for are dropped before anything else (RFC 6749 §3.3).
    const requested = registeredScopes(client.scopes, splitScopes(typeof q.scope === 'string' ? q.scope : '').filter((s) => SUPPORTED_SCOPE.test(s)));
    if (!requested.length) return this.errorRedirect(res, redirectUri, q.state, 'invalid_scope', 'None of the requested scopes is registered for this client');
    let context: LaunchContext | undefined;
    if (typeof q.launch === 'string') {
      const launch = this.launches.get(q.launch);
      if (!launch || launch.expires < Date.now()) return this.errorRedirect(res, redirectUri, q.state, 'invalid_request', 'Unknown or expired launch');
      context = launch.context;
    } else if (requested.includes('launch/patient')) {
      const [patient, encounter] = typeof q.sandbox_choice === 'string' ? q.sandbox_choice.split('|') : [];
      if (!patient || typeof q.sandbox_user !== 'string') {
        res.type('html').send(await this.pickerPage(q));
        return;
      }
      context = { patient, ...(encounter ? { encounter } : {}), fhirUser: q.sandbox_user, needPatientBanner: true };
    } else if (requested.includes('openid')) {
      // A user signing in without a patient (compliance staff): the EHR asks who they are.
      if (typeof q.sandbox_user !== 'string') {
        res.type('html').send(await this.pickerPage(q, false));
        return;
      }
      context = { patient: '', fhirUser: q.sandbox_user, needPatientBanner: false };
    } else {
      return this.errorRedirect(res, redirectUri, q.state, 'invalid_scope', 'Ask for launch (EHR launch), launch/patient (standalone launch) or openid (sign-in)');
    }
    const granted = requested.filter((s) => !(context?.deny ?? []).includes(s));
    if (!granted.length) return this.errorRedirect(res, redirectUri, q.state, 'invalid_scope', 'The EHR granted none of the requested scopes');
    req.ncPending = { client, redirectUri, context, scope: granted.join(' ') };
    next();
  }

  private async pickerPage(q: Record<string, unknown>, withPatients = true): Promise<string> {
    const patients = withPatients ? await this.options.patientsForPicker() : [];
    const hidden = Object.entries(q).filter(([k]) => !k.startsWith('sandbox_')).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(String(v))}">`).join('');
    const people = withPatients ? this.options.practitioners.map((p) => ({ id: p.id, label: p.name })) : [...(this.options.staff ?? []), ...this.options.practitioners.map((p) => ({ id: p.id, label: p.name }))];
    const users = people.map((p) => `<option value="Practitioner/${escapeHtml(p.id)}">${escapeHtml(p.label)}</option>`).join('');
    const rows = patients
      .map((p) => `<fieldset><legend>${escapeHtml(p.name)}</legend>${p.encounters.map((e) => `<label><input type="radio" name="sandbox_choice" value="${escapeHtml(p.id)}|${escapeHtml(e.id)}" required> ${escapeHtml(e.label)}</label>`).join('<br>')}</fieldset>`)
      .join('');
    return renderPage(withPatients ? 'Sandbox EHR — choose a patient' : 'Sandbox EHR — sign in', `<form method="get" action="authorize" class="picker">${hidden}<p><label>Signed in as <select name="sandbox_user">${users}</select></label></p>${rows}<p><button type="submit">Continue to NeedleChart</button></p></form>`);
  }

  private async token(req: Request & { ncGrant?: Pending }, res: Response, next: NextFunction): Promise<void> {
    // Only form bodies are parsed here (RFC 6749 §3.2): anything else is a request without parameters.
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const fail = (status: number, error: string, description: string) => {
      res.status(status).set('Cache-Control', 'no-store').json({ error, error_description: description });
    };
    const client = await this.authenticateClient(req, body);
    if (typeof client === 'string') return fail(401, 'invalid_client', client);
    if (body.grant_type === 'authorization_code') {
      const pending = body.code ? this.codes.get(body.code) : undefined;
      if (body.code) this.codes.delete(body.code);
      if (!pending || pending.expires < Date.now()) return fail(400, 'invalid_grant', 'Unknown, used or expired authorization code');
      if (pending.client.clientId !== client.clientId) return fail(400, 'invalid_grant', 'The code was issued to another client');
      if (body.redirect_uri !== pending.redirectUri) return fail(400, 'invalid_grant', 'redirect_uri differs from the authorization request');
      if (!body.code_verifier) return fail(400, 'invalid_grant', 'code_verifier is required (PKCE)');
      req.ncGrant = pending;
      // oauth2-mock-server checks the verifier against the stored challenge; it must see the code.
      return next();
    }
    if (body.grant_type === 'refresh_token') {
      const pending = body.refresh_token ? this.refreshTokens.get(body.refresh_token) : undefined;
      if (body.refresh_token) this.refreshTokens.delete(body.refresh_token);
      if (!pending || pending.expires < Date.now() || pending.client.clientId !== client.clientId) return fail(400, 'invalid_grant', 'Unknown, used or expired refresh token');
      const asked = splitScopes(body.scope);
      const had = splitScopes(pending.scope);
      if (asked.some((s) => !had.includes(s))) return fail(400, 'invalid_scope', 'A refresh may ask for the same scopes or fewer');
      req.ncGrant = { ...pending, scope: asked.length ? asked.join(' ') : pending.scope };
      return next();
    }
    if (body.grant_type === 'client_credentials') {
      // SMART Backend Services: asymmetric client authentication only, system scopes only, tokens ≤ 5 minutes, no refresh.
      // Asked-for scopes outside the client's registration are dropped; the response's `scope` says what was granted.
      if (client.auth !== 'private_key_jwt') return fail(400, 'unauthorized_client', 'Backend Services requires private_key_jwt');
      const asked = splitScopes(body.scope).filter((s) => s.startsWith('system/') && SUPPORTED_SCOPE.test(s));
      const granted = registeredScopes(client.scopes, asked);
      if (!granted.length) return fail(400, 'invalid_scope', 'None of the requested scopes is a system/ scope registered for this client');
      req.ncGrant = { client, redirectUri: '', scope: granted.join(' '), expires: Date.now() + 300_000 };
      return next();
    }
    return fail(400, 'unsupported_grant_type', 'Supported: authorization_code, refresh_token, client_credentials');
  }

  private async authenticateClient(req: Request, body: Record<string, string | undefined>): Promise<SandboxClient | string> {
    const header = req.headers.authorization;
    if (header?.startsWith('Basic ')) {
      // RFC 6749 §2.3.1: client id and secret are form-encoded before Base64, so decode them as a form does ('+' is a space).
      const [id = '', secret = ''] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':').map((s) => decodeURIComponent(s.replace(/\+/g, ' ')));
      const client = this.options.clients().find((c) => c.clientId === id);
      return client?.auth === 'client_secret_basic' && client.secret === secret ? client : 'Client authentication failed';
    }
    if (body.client_assertion_type === 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' && body.client_assertion) {
      const claimed = JSON.parse(Buffer.from(body.client_assertion.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { iss?: string };
      const client = this.options.clients().find((c) => c.clientId === claimed.iss && c.auth === 'private_key_jwt');
      if (!client?.jwks) return 'Unknown client';
      try {
        const { payload } = await jwtVerify(body.client_assertion, createLocalJWKSet(client.jwks), { issuer: client.clientId, subject: client.clientId, audience: `${this.options.issuerUrl()}/token`, algorithms: ['RS384', 'ES384'], maxTokenAge: '5m' });
        if (!payload.jti || this.assertionIds.has(payload.jti)) return 'client_assertion jti missing or replayed';
        this.assertionIds.add(payload.jti);
        return client;
      } catch {
        return 'client_assertion did not verify';
      }
    }
    const client = this.options.clients().find((c) => c.clientId === body.client_id);
    if (client?.auth === 'client_secret_post') return body.client_secret !== undefined && client.secret === body.client_secret ? client : 'Client authentication failed';
    return client?.auth === 'none' ? client : 'Client authentication failed';
  }

  /**
   * Mounted at /auth of the sandbox origin. Only what a SMART EHR offers is reachable: discovery,
   * /authorize, /token and /jwks. oauth2-mock-server's other endpoints answer anyone (an open
   * redirect at /endsession, "active" for every token at /introspect, a user for anything at
   * /userinfo, a /revoke that revokes nothing), so they are not routed: 404.
   */
  router(): Router {
    const router = express.Router();
    const mock = this.service.requestHandler as unknown as express.RequestHandler;
    router.use((req, _res, next) => {
      this.issuer.url = this.options.issuerUrl();
      next();
    });
    router.get('/.well-known/smart-configuration', (_req, res) => res.json(this.smartConfiguration()));
    router.get('/.well-known/openid-configuration', (_req, res) => res.json(openidConfiguration(this.options.issuerUrl())));
    router.get('/authorize', (req, res, next) => void this.authorize(req, res, next).catch(next), mock);
    router.post('/token', express.urlencoded({ extended: false }), (req, res, next) => void this.token(req, res, next).catch(next), mock);
    router.get('/jwks', mock);
    router.use((_req, res) => {
      res.status(404).json({ error: 'not_found', error_description: 'The sandbox authorization server serves /authorize, /token, /jwks and its .well-known discovery documents only' });
    });
    return router;
  }
}
