import { Router } from 'express';
import { buildCards } from '../../cds/cds-cards.js';
import { cdsAuth, cdsClientOf, type CdsClient } from '../../cds/cds-auth.js';
import { feedbackLogFields } from '../../cds/cds-feedback.js';
import { fetchHookData, lentFhirServer } from '../../cds/cds-fhir-server.js';
import { completeHookData, readHookData, requireHookRequest, type HookDataKey } from '../../cds/cds-request.js';
import { CDS_SERVICES } from '../../cds/cds-services.js';
import { sharedR4Validator } from '../../fhir/r4-schema-validator.js';
import type { SessionStore } from '../../smart/session-store.js';
import type { StoreKeys } from '../../smart/store-keys.js';
import { badRequest, invalid, notFound, OperationOutcomeError, outcome, upstream } from '../../outcome/operation-outcome-error.js';
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
}

/** CDS Hooks 2.0: without the prefetch it needs and without a FHIR server it may read, a service answers 412. */
function missingPrefetch(keys: readonly HookDataKey[]): OperationOutcomeError {
  const names = keys.map((k) => `prefetch.${k}`).join(', ');
  return new OperationOutcomeError(412, outcome([{ severity: 'error', code: 'required', diagnostics: `${names} ${keys.length > 1 ? 'are' : 'is'} missing, and no FHIR server registered for this CDS client was given to read ${keys.length > 1 ? 'them' : 'it'} from (fhirServer with fhirAuthorization)` }]));
}

/**
 * CDS Hooks 2.0 under /cds-services: discovery, the patient-view and encounter-start services,
 * and feedback. Also GET /rules, the page each card's source links to.
 */
export function cdsRouter(deps: CdsDeps): Router {
  const router = Router();
  router.use('/cds-services', labelRoute(), cdsAuth({ clients: deps.clients, serviceBase: deps.appUrl, store: deps.store, keys: deps.keys }));

  router.get('/cds-services', (_req, res) => {
    res.json({ services: CDS_SERVICES });
  });

  router.post('/cds-services/:id', async (req, res) => {
    const service = CDS_SERVICES.find((s) => s.id === req.params.id);
    if (!service) throw notFound(`No CDS service ${req.params.id}`);
    const body = requireHookRequest(req.body, deps.core.check);
    if (body.hook !== service.hook) throw badRequest(`hook must be ${service.hook}`, 'hook');
    const { patientId, encounterId } = body.context;
    const r4 = sharedR4Validator();
    const prefetched = readHookData(body.prefetch ?? {}, patientId, r4);
    if (prefetched.issues.length > 0) throw invalid(prefetched.issues, 400);
    let parts = prefetched.parts;
    if (prefetched.missing.length > 0) {
      const server = lentFhirServer(body, cdsClientOf(res));
      if (!server) throw missingPrefetch(prefetched.missing);
      const context = { patientId, ...(encounterId ? { encounterId } : {}) };
      const fetched = readHookData(await fetchHookData(service, server, context, prefetched.missing, deps.logger), patientId, r4);
      if (fetched.issues.length > 0) throw upstream(`The EHR's FHIR server returned data NeedleChart cannot read for ${prefetched.missing.join(', ')}`);
      parts = { ...parts, ...fetched.parts };
    }
    const data = completeHookData(parts);
    if (!data) throw missingPrefetch(prefetched.missing);
    res.json({ cards: buildCards(data, deps.core, deps.appUrl()) });
  });

  router.post('/cds-services/:id/feedback', (req, res) => {
    const service = CDS_SERVICES.find((s) => s.id === req.params.id);
    if (!service) throw notFound(`No CDS service ${req.params.id}`);
    const feedback = (req.body as { feedback?: unknown } | undefined)?.feedback;
    if (!Array.isArray(feedback)) throw badRequest('feedback must be a list', 'feedback');
    // Ids, outcome and reason code only: never what a clinician typed (userComment, a reason's display).
    for (const item of feedback) deps.logger.info('cds feedback', { service: service.id, ...feedbackLogFields(item), client: cdsClientOf(res).iss });
    res.json({});
  });
  return router;
}
