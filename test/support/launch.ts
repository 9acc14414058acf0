/**
 * Drives a real SMART EHR launch over HTTP without a browser, as the e2e tests do with one: the
 * sandbox launcher registers the launch, the app redirects to the sandbox's authorization endpoint
 * (PKCE S256, state), the sandbox redirects back with a code, the app exchanges it and opens /app.
 * Cookies are carried per host, as a browser would.
 */
export interface LaunchedSession {
  readonly launchId: string;
  /** Cookie header for the app's origin. */
  readonly cookie: string;
  /** Every URL the browser would have visited, in order. */
  readonly trail: string[];
}

export class CookieJar {
  private readonly byHost = new Map<string, Map<string, string>>();

  store(url: string, response: Response): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    this.byHost.set(host, jar);
  }

  /** Puts a cookie in the jar by hand, as an attacker who planted it in the browser would. */
  set(url: string, name: string, value: string): void {
    const host = new URL(url).host;
    const jar = this.byHost.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.byHost.set(host, jar);
  }

  /** The value of one cookie for `url`'s host. */
  get(url: string, name: string): string | undefined {
    return this.byHost.get(new URL(url).host)?.get(name);
  }

  header(url: string): string {
    return [...(this.byHost.get(new URL(url).host) ?? new Map<string, string>()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** Follows redirects by hand (fetch would drop cookies between hosts), starting with `first`. */
export async function follow(first: Request, jar: CookieJar, trail: string[], maxHops = 10): Promise<Response> {
  let request = first;
  for (let hop = 0; ; hop++) {
    trail.push(request.url);
    const headers = new Headers(request.headers);
    const cookie = jar.header(request.url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(request.url, { method: request.method, headers, body: request.method === 'GET' ? undefined : await request.text(), redirect: 'manual' });
    jar.store(request.url, response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location || hop + 1 >= maxHops) return response;
    request = new Request(new URL(location, request.url));
  }
}

/**
 * `practitioner` is the user the EHR names (fhirUser): `Practitioner/…` (default pt-rivera), `PractitionerRole/…`,
 * `Patient/…`, or `none`; `nameClaim: 'omit'` leaves the name out of the id_token, as the public SMART launcher does.
 */
export async function ehrLaunch(sandboxOrigin: string, chart: { patient: string; encounter: string; practitioner?: string; deny?: string; nameClaim?: 'omit' }, jar = new CookieJar()): Promise<LaunchedSession & { final: Response }> {
  const trail: string[] = [];
  const body = new URLSearchParams({ patient: chart.patient, encounter: chart.encounter, practitioner: chart.practitioner ?? 'Practitioner/pt-rivera', mode: 'tab', ...(chart.deny ? { deny: chart.deny } : {}), ...(chart.nameClaim ? { nameClaim: chart.nameClaim } : {}) });
  const final = await follow(new Request(`${sandboxOrigin}/sandbox/launch`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }), jar, trail);
  const last = new URL(trail[trail.length - 1] ?? '');
  const launchId = last.searchParams.get('launch') ?? '';
  return { launchId, cookie: jar.header(last.toString()), trail, final };
}

/** The sandbox's token response for an EHR launch of `patient`, by the authorization-code flow with PKCE (no browser); `error` when the grant is refused. */
export async function launchTokenResponse(sandbox: { origin: string; fhirBaseUrl: string; auth?: { createLaunch(c: { patient: string; encounter?: string; fhirUser: string; needPatientBanner: boolean }): string } }, redirectUri: string, clientId: string, patient: string, scope: string): Promise<{ access_token?: string; scope?: string; error?: string; error_description?: string }> {
  const oauth = await import('oauth4webapi');
  const verifier = oauth.generateRandomCodeVerifier();
  const launch = sandbox.auth?.createLaunch({ patient, fhirUser: 'Practitioner/pt-rivera', needPatientBanner: false }) ?? '';
  const authorize = new URL(`${sandbox.origin}/auth/authorize`);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope, state: 'state-for-a-test-token', aud: sandbox.fhirBaseUrl, launch, code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' })) authorize.searchParams.set(k, v);
  const redirect = new URL((await fetch(authorize, { redirect: 'manual' })).headers.get('location') ?? '');
  const error = redirect.searchParams.get('error');
  if (error) return { error, error_description: redirect.searchParams.get('error_description') ?? '' };
  const code = redirect.searchParams.get('code') ?? '';
  return (await (await fetch(`${sandbox.origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier, client_id: clientId }) })).json()) as { access_token: string; scope: string };
}

/** A patient-scoped access token from the sandbox, by the authorization-code flow with PKCE (no browser). */
export async function patientAccessToken(sandbox: Parameters<typeof launchTokenResponse>[0], redirectUri: string, clientId: string, patient: string, scope: string): Promise<string> {
  return (await launchTokenResponse(sandbox, redirectUri, clientId, patient, `launch ${scope}`)).access_token ?? '';
}

/**
 * A compliance sign-in (standalone SMART launch without a patient) as `user`, as a browser does it:
 * /compliance sends it to the EHR's sign-in page, where the sandbox lets the test say who signs in
 * (`sandbox_user`, any fhirUser reference), then back through the callback to /compliance?launch=….
 * `final` is the compliance page's response.
 */
export async function complianceSignIn(appUrl: string, user: string, jar = new CookieJar()): Promise<LaunchedSession & { final: Response }> {
  const trail: string[] = [];
  await follow(new Request(`${appUrl}/compliance`), jar, trail);
  const signIn = new URL(trail[trail.length - 1] ?? '');
  signIn.searchParams.set('sandbox_user', user);
  const final = await follow(new Request(signIn), jar, trail);
  const last = new URL(trail[trail.length - 1] ?? '');
  return { launchId: last.searchParams.get('launch') ?? '', cookie: jar.header(appUrl), trail, final };
}
