import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

describe('readConfig', () => {
  it('when nothing is set, then safe defaults apply: loopback, port 3000, no overrides', () => {
    expect(readConfig({})).toEqual({
      port: 3000, host: '127.0.0.1', payersDir: undefined, templatesDir: undefined, clinicTimeZone: undefined, bodyLimitBytes: 262144,
      fhirBaseUrl: undefined, sandbox: true, sandboxPort: 8090, sandboxDataFile: undefined, fhirTimeoutMs: 10000,
      publicUrl: undefined, issAllowlist: [], clientId: 'needlechart-sandbox', clientAuth: 'none', clientSecret: undefined,
      clientPrivateKeyFile: undefined, clientKeyId: undefined, sessionSecret: undefined, redisUrl: undefined, frameAncestors: [],
      backendClientId: undefined, backendKeyFile: undefined, backendKeyId: undefined, apiRateLimitPerMinute: 1200, previewWorkers: Math.max(0, availableParallelism() - 1), cdsClients: [], trustProxy: false,
      complianceUsers: undefined, complianceRole: undefined, exportsPerUser: 1, exportsPerInstance: 2, exportDir: undefined, exportTtlMinutes: 60, exportLockSeconds: 30,
      clinicPractices: [],
    });
  });

  it('when compliance staff, a role, export limits, folder and lifetime are set, then they are read', () => {
    expect(
      readConfig({
        NEEDLECHART_COMPLIANCE_USERS: 'Practitioner/pt-chen, PractitionerRole/r-1 Practitioner/co-2',
        NEEDLECHART_COMPLIANCE_ROLE: 'https://ehr.example.org/roles|compliance',
        NEEDLECHART_EXPORTS_PER_USER: '2',
        NEEDLECHART_EXPORTS_PER_INSTANCE: '4',
        NEEDLECHART_EXPORT_DIR: '/var/lib/needlechart/exports',
        NEEDLECHART_EXPORT_TTL_MINUTES: '15',
        NEEDLECHART_EXPORT_LOCK_SECONDS: '10',
      }),
    ).toMatchObject({ complianceUsers: ['Practitioner/pt-chen', 'PractitionerRole/r-1', 'Practitioner/co-2'], complianceRole: { system: 'https://ehr.example.org/roles', code: 'compliance' }, exportsPerUser: 2, exportsPerInstance: 4, exportDir: '/var/lib/needlechart/exports', exportTtlMinutes: 15, exportLockSeconds: 10 });
    expect(() => readConfig({ NEEDLECHART_EXPORT_LOCK_SECONDS: '1' })).toThrow(/NEEDLECHART_EXPORT_LOCK_SECONDS must be a whole number from 2 to 3600/);
    expect(readConfig({ NEEDLECHART_COMPLIANCE_ROLE: 'compliance-officer' }).complianceRole).toEqual({ code: 'compliance-officer' });
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

  it('when the clinic lists its clean-technique practices, then they are read once each, in any case, space or comma separated', () => {
    expect(readConfig({ NEEDLECHART_CLINIC_PRACTICES: ' sterile-single-use-needles, Gloves gloves ' }).clinicPractices).toEqual(['sterile-single-use-needles', 'gloves']);
    expect(readConfig({ NEEDLECHART_CLINIC_PRACTICES: 'sterile-single-use-needles,sharps-disposed,gloves' }).clinicPractices).toEqual(['sterile-single-use-needles', 'sharps-disposed', 'gloves']);
    expect(readConfig({ NEEDLECHART_CLINIC_PRACTICES: '' }).clinicPractices).toEqual([]);
  });

  it('when the data folder and the clinic favourites file are set, then both paths are read (trimmed); unset, neither is', () => {
    const config = readConfig({ NEEDLECHART_DATA_DIR: ' /var/lib/needlechart/data ', NEEDLECHART_CLINIC_FAVOURITES: '/etc/needlechart/clinic-favourites.json' });
    expect(config.dataDir).toBe('/var/lib/needlechart/data');
    expect(config.clinicFavouritesFile).toBe('/etc/needlechart/clinic-favourites.json');
    expect(readConfig({})).toMatchObject({ dataDir: undefined, clinicFavouritesFile: undefined });
  });

  it('when the clinic practices name something unknown, then start-up refuses, names it and lists it with the other problems', () => {
    expect(() => readConfig({ NEEDLECHART_CLINIC_PRACTICES: 'gloves, masks, sterile' })).toThrow(
      "NEEDLECHART_CLINIC_PRACTICES must list only sterile-single-use-needles, sharps-disposed, gloves (got 'masks', 'sterile')",
    );
    expect(() => readConfig({ NEEDLECHART_CLINIC_PRACTICES: 'masks', NEEDLECHART_EXPORTS_PER_USER: '0' })).toThrow(/NEEDLECHART_EXPORTS_PER_USER must be a whole number[\s\S]*NEEDLECHART_CLINIC_PRACTICES must list only/);
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
    [{ NEEDLECHART_ISS_ALLOWLIST: 'https://*.example.org/fhir' }, "NEEDLECHART_ISS_ALLOWLIST: 'https://*.example.org/fhir': * may stand only for whole path segments, not in the host"],
    [{ NEEDLECHART_FHIR_BASE_URL: 'https://ehr.example.org/fhir' }, 'NEEDLECHART_CLIENT_ID must be the client id the EHR assigned'],
    [{ NEEDLECHART_FHIR_BASE_URL: 'https://ehr.example.org/fhir', NEEDLECHART_CLIENT_ID: 'x' }, 'NEEDLECHART_SESSION_SECRET is required outside the sandbox'],
    [{ NEEDLECHART_SESSION_SECRET: 'c2hvcnQ=' }, 'NEEDLECHART_SESSION_SECRET must be at least 32 random bytes'],
    [{ NEEDLECHART_CLIENT_AUTH: 'client_secret_basic' }, 'needs NEEDLECHART_CLIENT_SECRET'],
    [{ NEEDLECHART_CLIENT_AUTH: 'magic' }, 'NEEDLECHART_CLIENT_AUTH must be one of none, client_secret_basic, client_secret_post, private_key_jwt'],
    [{ NEEDLECHART_COMPLIANCE_USERS: 'Practitioner/pt-chen Patient/p-maria-lopez' }, "NEEDLECHART_COMPLIANCE_USERS must list staff as Practitioner/<id> or PractitionerRole/<id> (got 'Patient/p-maria-lopez')"],
    [{ NEEDLECHART_COMPLIANCE_ROLE: 'https://ehr.example.org/roles|' }, 'NEEDLECHART_COMPLIANCE_ROLE must be a PractitionerRole code'],
    [{ NEEDLECHART_COMPLIANCE_ROLE: '|compliance' }, 'NEEDLECHART_COMPLIANCE_ROLE must be a PractitionerRole code'],
    [{ NEEDLECHART_EXPORTS_PER_USER: '0' }, 'NEEDLECHART_EXPORTS_PER_USER must be a whole number from 1 to 100'],
    [{ NEEDLECHART_EXPORTS_PER_INSTANCE: 'many' }, 'NEEDLECHART_EXPORTS_PER_INSTANCE must be a whole number from 1 to 1000'],
    [{ NEEDLECHART_EXPORT_TTL_MINUTES: '0' }, 'NEEDLECHART_EXPORT_TTL_MINUTES must be a whole number from 1 to 10080'],
  ])('when %j is set, then start-up refuses: %s', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it.each([
    ['false', false],
    ['off', false],
    ['0', false],
    ['2', 2],
    ['10.0.0.5, 10.1.0.0/16 ::1 fd00::/8 loopback', ['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8', 'loopback']],
  ])('when NEEDLECHART_TRUST_PROXY is %j, then express\'s trust proxy setting is %j', (raw, expected) => {
    expect(readConfig({ NEEDLECHART_TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each(['true', 'on', 'everyone', '10.0.0.0/33', '-1', '10.0.0.300'])('when NEEDLECHART_TRUST_PROXY is %j, then start-up refuses and says what is accepted', (raw) => {
    expect(() => readConfig({ NEEDLECHART_TRUST_PROXY: raw })).toThrow(/NEEDLECHART_TRUST_PROXY must be false, a number of proxy hops, or a list of proxy addresses or CIDR ranges/);
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

  it('when CDS clients are set, then each has its own jku allow-list and FHIR servers (empty when left out), trailing slashes removed', () => {
    const clients = [
      { iss: 'https://ehr-a.example.org', jwksUrl: 'https://ehr-a.example.org/jwks.json', jkuAllowlist: ['https://keys.ehr-a.example.org/jwks.json'], fhirServers: ['https://ehr-a.example.org/fhir/r4/'] },
      { iss: 'https://ehr-b.example.org', jwksUrl: 'https://ehr-b.example.org/jwks.json' },
    ];
    expect(readConfig({ NEEDLECHART_CDS_CLIENTS: JSON.stringify(clients) }).cdsClients).toEqual([
      { iss: 'https://ehr-a.example.org', jwksUrl: 'https://ehr-a.example.org/jwks.json', jkuAllowlist: ['https://keys.ehr-a.example.org/jwks.json'], fhirServers: ['https://ehr-a.example.org/fhir/r4'] },
      { iss: 'https://ehr-b.example.org', jwksUrl: 'https://ehr-b.example.org/jwks.json', jkuAllowlist: [], fhirServers: [] },
    ]);
  });

  it.each([
    [[{ iss: 'https://a.example', jwksUrl: 'https://a.example/jwks', fhirServers: ['http://fhir.a.example/r4'] }], 'NEEDLECHART_CDS_CLIENTS[0].fhirServers[0] must use https (plain http only on loopback)'],
    [[{ iss: 'https://a.example', jwksUrl: 'https://a.example/jwks', jkuAllowlist: 'https://a.example/keys' }], 'NEEDLECHART_CDS_CLIENTS[0].jkuAllowlist must be a list of URLs'],
    [[{ iss: 'https://a.example', jwksUrl: 'jwks.json' }], 'NEEDLECHART_CDS_CLIENTS[0].jwksUrl must be an absolute URL'],
    [[{ jwksUrl: 'https://a.example/jwks' }], 'NEEDLECHART_CDS_CLIENTS[0]: NEEDLECHART_CDS_CLIENTS must be a JSON list of'],
    [{ iss: 'https://a.example' }, 'NEEDLECHART_CDS_CLIENTS must be a JSON list of'],
  ])('when NEEDLECHART_CDS_CLIENTS is %j, then start-up refuses: %s', (clients, message) => {
    expect(() => readConfig({ NEEDLECHART_CDS_CLIENTS: JSON.stringify(clients) })).toThrow(message);
  });

  it('when the old global NEEDLECHART_CDS_JKU_ALLOWLIST is set, then start-up refuses and says where the URLs go now', () => {
    expect(() => readConfig({ NEEDLECHART_CDS_JKU_ALLOWLIST: 'https://keys.example.org/jwks.json' })).toThrow("NEEDLECHART_CDS_JKU_ALLOWLIST is no longer read: list each client's jku URLs under jkuAllowlist in its NEEDLECHART_CDS_CLIENTS entry");
  });
});

describe('NEEDLECHART_PREVIEW_WORKERS', () => {
  it('when set, then previews use that many worker threads (0 keeps them on the server thread); a value out of range is listed as a problem', () => {
    expect(readConfig({ NEEDLECHART_PREVIEW_WORKERS: '0' }).previewWorkers).toBe(0);
    expect(readConfig({ NEEDLECHART_PREVIEW_WORKERS: '3' }).previewWorkers).toBe(3);
    expect(() => readConfig({ NEEDLECHART_PREVIEW_WORKERS: '-1' })).toThrow(/NEEDLECHART_PREVIEW_WORKERS/);
  });
});
