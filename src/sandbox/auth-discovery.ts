/**
 * The sandbox authorization server's discovery documents. Each lists only what the server serves
 * (auth-server.ts routes): /authorize, /token and /jwks, the grants and client authentication it
 * checks, PKCE S256. No userinfo, end-session, introspection or revocation endpoint is advertised,
 * because none is served.
 */

/** `.well-known/smart-configuration` (SMART App Launch 2.2 §Conformance, https://hl7.org/fhir/smart-app-launch/conformance.html). */
export function smartConfiguration(issuer: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: `${issuer}/jwks`,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    scopes_supported: ['openid', 'fhirUser', 'launch', 'launch/patient', 'launch/encounter', 'online_access', 'offline_access', 'patient/*.cruds', 'user/*.cruds', 'system/*.rs'],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: ['launch-ehr', 'launch-standalone', 'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric', 'context-ehr-patient', 'context-ehr-encounter', 'context-standalone-patient', 'context-standalone-encounter', 'permission-v2', 'permission-v1', 'permission-patient', 'permission-online', 'permission-offline', 'sso-openid-connect', 'context-banner'],
  };
}

/**
 * `.well-known/openid-configuration` of the issuer (OpenID Connect Discovery 1.0 §3): the sandbox's
 * own. oauth2-mock-server's document advertised userinfo, end-session, introspection and revocation
 * endpoints and a password grant that the sandbox does not offer. ID tokens are signed RS256.
 */
export function openidConfiguration(issuer: string): Record<string, unknown> {
  const smart = smartConfiguration(issuer);
  const shared = ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'response_types_supported', 'grant_types_supported', 'token_endpoint_auth_methods_supported', 'token_endpoint_auth_signing_alg_values_supported', 'scopes_supported', 'code_challenge_methods_supported'];
  return { ...Object.fromEntries(shared.map((k) => [k, smart[k]])), subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'], claims_supported: ['sub', 'fhirUser', 'name'] };
}
