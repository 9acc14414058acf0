import { FhirGateway } from '../fhir/client.js';
import type { Logger } from '../infra/logger.js';
import type { CdsClient } from './cds-auth.js';
import type { HookDataKey } from './cds-request.js';
import type { CdsService } from './cds-services.js';
import type { CdsHookRequest } from '../domain/types.generated.js';

const normalise = (url: string): string => url.replace(/\/+$/, '');

/**
 * The FHIR server and token a hook request lends, when the server is one listed for the calling
 * client (NEEDLECHART_CDS_CLIENTS `fhirServers`; the sandbox's own base for the sandbox). Any other
 * `fhirServer` is ignored with its token: the token is never sent anywhere the client's registration
 * does not name, whatever the URL (loopback, internal hosts, plain http).
 */
export function lentFhirServer(body: CdsHookRequest, client: CdsClient): { readonly baseUrl: string; readonly token: string } | undefined {
  const token = body.fhirAuthorization?.access_token;
  if (!body.fhirServer || !token) return undefined;
  const baseUrl = normalise(body.fhirServer);
  return client.fhirServers.map(normalise).includes(baseUrl) ? { baseUrl, token } : undefined;
}

function fill(template: string, context: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{context\.(\w+)\}\}/g, (_m, key: string) => encodeURIComponent(context[key] ?? ''));
}

/**
 * Reads the `keys` the EHR did not prefetch from its FHIR server, with the token it lent for this one
 * request (never stored, never logged), using the service's own prefetch templates. The values come
 * back unchecked, in prefetch form, for `readHookData`.
 */
export async function fetchHookData(service: CdsService, server: { readonly baseUrl: string; readonly token: string }, context: Readonly<Record<string, string>>, keys: readonly HookDataKey[], logger: Logger): Promise<Record<string, unknown>> {
  const gateway = new FhirGateway({ baseUrl: server.baseUrl, logger, accessToken: () => server.token, timeoutMs: 5000, retries: 1 });
  const get = async (template: string): Promise<unknown> => {
    const [path = '', search] = fill(template, context).split('?');
    const [type = '', id] = path.split('/');
    if (id) return gateway.read(type as 'Patient', decodeURIComponent(id));
    return gateway.search(type, Object.fromEntries(new URLSearchParams(search)));
  };
  const values = await Promise.all(keys.map((key) => get(service.prefetch[key] ?? '')));
  return Object.fromEntries(keys.map((key, i) => [key, values[i]]));
}
