import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

describe('readConfig', () => {
  it('when nothing is set, then safe defaults apply: loopback, port 3000, no overrides', () => {
    expect(readConfig({})).toEqual({
      port: 3000, host: '127.0.0.1', payersDir: undefined, templatesDir: undefined, clinicTimeZone: undefined, bodyLimitBytes: 262144,
      fhirBaseUrl: undefined, sandbox: true, sandboxPort: 8090, sandboxDataFile: undefined, fhirTimeoutMs: 10000,
      publicUrl: undefined, issAllowlist: [], clientId: 'needlechart-sandbox', clientAuth: 'none', clientSecret: undefined,
      clientPrivateKeyFile: undefined, clientKeyId: undefined, sessionSecret: undefined, redisUrl: undefined, frameAncestors: [],
      backendClientId: undefined, backendKeyFile: undefined, backendKeyId: undefined, apiRateLimitPerMinute: 1200, cdsClients: [], cdsJkuAllowlist: [],
    });
  });

  it('when values are set, then they are read and the result is frozen', () => {
    const config = readConfig({ PORT: '0', HOST: '0.0.0.0', NEEDLECHART_PAYERS_DIR: '/etc/nc/payers', NEEDLECHART_TEMPLATES_DIR: ' /etc/nc/templates ' });
    expect(config).toMatchObject({ port: 0, host: '0.0.0.0', payersDir: '/etc/nc/payers', templatesDir: '/etc/nc/templates' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when the clinic time zone is set to an IANA name, then it is read; an unknown name is listed as a problem', () => {
    expect(readConfig({ NEEDLECHART_CLINIC_TIME_ZONE: ' America/Denver ' }).clinicTimeZone).toBe('America/Denver');
    expect(() => readConfig({ NEEDLECHART_CLINIC_TIME_ZONE: 'Eastern' })).toThrow(/NEEDLECHART_CLINIC_TIME_ZONE must be an IANA time zone such as America\/New_York \(got 'Eastern'\)/);
  });

  it('when an EHR FHIR base is set, then the sandbox is off by default and the URL loses its trailing slash', () => {
    const secret = Buffer.alloc(32, 7).toString('base64');
    expect(readConfig({ NEEDLECHART_FHIR_BASE_URL: 'https://ehr.example.org/fhir/r4/', NEEDLECHART_CLIENT_ID: 'abc', NEEDLECHART_SESSION_SECRET: secret })).toMatchObject({ fhirBaseUrl: 'https://ehr.example.org/fhir/r4', sandbox: false });
  });

  it.each([
    [{ NEEDLECHART_FHIR_BASE_URL: 'http://ehr.example.org/fhir' }, 'NEEDLECHART_FHIR_BASE_URL must use https'],
    [{ NEEDLECHART_FHIR_BASE_URL: 'not a url' }, 'NEEDLECHART_FHIR_BASE_URL must be an absolute URL'],
    [{ NEEDLECHART_SANDBOX: 'off' }, 'NEEDLECHART_FHIR_BASE_URL must name'],
    [{ NEEDLECHART_SANDBOX: 'maybe' }, 'NEEDLECHART_SANDBOX must be on or off'],
    [{ NEEDLECHART_FHIR_BASE_URL: 'https://ehr.example.org/fhir' }, 'NEEDLECHART_CLIENT_ID must be the client id the EHR assigned'],
    [{ NEEDLECHART_FHIR_BASE_URL: 'https://ehr.example.org/fhir', NEEDLECHART_CLIENT_ID: 'x' }, 'NEEDLECHART_SESSION_SECRET is required outside the sandbox'],
    [{ NEEDLECHART_SESSION_SECRET: 'c2hvcnQ=' }, 'NEEDLECHART_SESSION_SECRET must be at least 32 random bytes'],
    [{ NEEDLECHART_CLIENT_AUTH: 'client_secret_basic' }, 'needs NEEDLECHART_CLIENT_SECRET'],
    [{ NEEDLECHART_CLIENT_AUTH: 'magic' }, 'NEEDLECHART_CLIENT_AUTH must be one of none, client_secret_basic, private_key_jwt'],
  ])('when %j is set, then start-up refuses: %s', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it('when several values are bad, then every problem is listed at once', () => {
    const error = (() => {
      try {
        readConfig({ PORT: 'eighty', NEEDLECHART_BODY_LIMIT_BYTES: '5' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "PORT must be a whole number from 0 to 65535 (got 'eighty')",
      "NEEDLECHART_BODY_LIMIT_BYTES must be a whole number from 1024 to 10485760 (got '5')",
    ]);
  });
});
