import { Router } from 'express';
import type { Bundle, Coverage, Observation, Patient, Procedure, Resource } from 'fhir/r4.js';
import { buildCards, type HookData } from '../../cds/cds-cards.js';
import { cdsAuth, type CdsClient } from '../../cds/cds-auth.js';
import { CDS_SERVICES, type CdsService } from '../../cds/cds-services.js';
import { FhirGateway } from '../../fhir/client.js';
import { isLoopback } from '../../smart/smart-configuration.js';
import type { SessionStore } from '../../smart/session-store.js';
import type { StoreKeys } from '../../smart/store-keys.js';
import { badRequest, notFound, OperationOutcomeError, outcome } from '../../outcome/operation-outcome-error.js';
import type { Core } from '../../service/core.js';
import type { Logger } from '../../infra/logger.js';
import { labelRoute } from '../request-context.js';

export interface CdsDeps {
  readonly core: Core;
  readonly logger: Logger;
  readonly store: SessionStore;
  readonly keys: StoreKeys;
  readonly appUrl: () => string;
  readonly clients: () => readonly CdsClient[];
  readonly jkuAllowlist: () => readonly string[];
}

interface HookRequest {
  hook?: unknown;
  hookInstance?: unknown;
  context?: { patientId?: unknown; encounterId?: unknown; userId?: unknown };
  prefetch?: Record<string, unknown>;
  fhirServer?: unknown;
  fhirAuthorization?: { access_token?: unknown; token_type?: unknown };
}

const entries = <T extends Resource>(value: unknown, type: T['resourceType']): T[] | undefined => {
  const bundle = value as Bundle | null | undefined;
  if (!bundle || bundle.resourceType !== 'Bundle') return undefined;
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
};

function fill(template: string, context: Record<string, string>): string {
  return template.replace(/\{\{context\.(\w+)\}\}/g, (_m, key: string) => encodeURIComponent(context[key] ?? ''));
}

/** Prefetched data when the EHR sent all of it, else undefined. */
function fromPrefetch(prefetch: Record<string, unknown> | undefined): HookData | undefined {
  if (!prefetch) return undefined;
  const patient = prefetch.patient as Patient | null | undefined;
  const coverages = entries<Coverage>(prefetch.coverage, 'Coverage');
  const procedures = entries<Procedure>(prefetch.procedures, 'Procedure');
  const observations = entries<Observation>(prefetch.observations, 'Observation');
  if (patient?.resourceType !== 'Patient' || !coverages || !procedures || !observations) return undefined;
  return { patient, coverages, procedures, observations };
}

/** The same data read from the EHR with the token it lent for this one request (never stored, never logged). */
async function fromFhirServer(service: CdsService, body: HookRequest, context: Record<string, string>, logger: Logger): Promise<HookData | undefined> {
  const server = typeof body.fhirServer === 'string' ? body.fhirServer : undefined;
  const token = typeof body.fhirAuthorization?.access_token === 'string' ? body.fhirAuthorization.access_token : undefined;
  if (!server || !token) return undefined;
  if (!/^https:\/\//.test(server) && !isLoopback(server)) return undefined;
  const gateway = new FhirGateway({ baseUrl: server.replace(/\/$/, ''), logger, accessToken: () => token, timeoutMs: 5000, retries: 1 });
  const get = async (template: string): Promise<unknown> => {
    const [path = '', search] = fill(template, context).split('?');
    const [type = '', id] = path.split('/');
    if (id) return gateway.read(type as Patient['resourceType'], decodeURIComponent(id));
    return gateway.search(type, Object.fromEntries(new URLSearchParams(search)));
  };
  const p = service.prefetch;
  const [patient, coverage, procedures, observations] = await Promise.all([get(p.patient ?? ''), get(p.coverage ?? ''), get(p.procedures ?? ''), get(p.observations ?? '')]);
  return fromPrefetch({ patient, coverage, procedures, observations });
}

/**
 * CDS Hooks 2.0 under /cds-services: discovery, the patient-view and encounter-start services,
 * and feedback. Also GET /rules, the page each card's source links to.
 */
export function cdsRouter(deps: CdsDeps): Router {
  const router = Router();
  router.use('/cds-services', labelRoute(), cdsAuth({ clients: deps.clients, jkuAllowlist: deps.jkuAllowlist, serviceBase: deps.appUrl, store: deps.store, keys: deps.keys }));

  router.get('/cds-services', (_req, res) => {
    res.json({ services: CDS_SERVICES });
  });

  router.post('/cds-services/:id', async (req, res) => {
    const service = CDS_SERVICES.find((s) => s.id === req.params.id);
    if (!service) throw notFound(`No CDS service ${req.params.id}`);
    const body = (req.body ?? {}) as HookRequest;
    if (body.hook !== service.hook) throw badRequest(`hook must be ${service.hook}`, 'hook');
    if (typeof body.hookInstance !== 'string') throw badRequest('hookInstance is required', 'hookInstance');
    const patientId = body.context?.patientId;
    if (typeof patientId !== 'string' || !/^[A-Za-z0-9\-.]{1,64}$/.test(patientId)) throw badRequest('context.patientId is required', 'context.patientId');
    const context: Record<string, string> = { patientId, ...(typeof body.context?.encounterId === 'string' ? { encounterId: body.context.encounterId } : {}) };
    const data = fromPrefetch(body.prefetch) ?? (await fromFhirServer(service, body, context, deps.logger));
    if (!data) {
      // CDS Hooks 2.0: without the prefetch and without a usable FHIR server, answer 412.
      throw new OperationOutcomeError(412, outcome([{ severity: 'error', code: 'required', diagnostics: 'Prefetch is missing and no fhirServer with fhirAuthorization was given' }]));
    }
    res.json({ cards: buildCards(data, deps.core, deps.appUrl()) });
  });

  router.post('/cds-services/:id/feedback', (req, res) => {
    const service = CDS_SERVICES.find((s) => s.id === req.params.id);
    if (!service) throw notFound(`No CDS service ${req.params.id}`);
    const feedback = (req.body as { feedback?: unknown } | undefined)?.feedback;
    if (!Array.isArray(feedback)) throw badRequest('feedback must be a list', 'feedback');
    for (const item of feedback as { card?: unknown; outcome?: unknown; overrideReason?: { reason?: { code?: unknown } } }[]) {
      deps.logger.info('cds feedback', {
        service: service.id,
        card: typeof item.card === 'string' ? item.card : 'unknown',
        outcome: typeof item.outcome === 'string' ? item.outcome : 'unknown',
        overrideReason: typeof item.overrideReason?.reason?.code === 'string' ? item.overrideReason.reason.code : undefined,
        client: res.locals.cdsClient as string,
      });
    }
    res.json({});
  });
  return router;
}
