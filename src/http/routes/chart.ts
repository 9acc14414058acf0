import { Router, type Request } from 'express';
import { loadChartContext } from '../../fhir/load-chart-context.js';
import { badRequest } from '../../outcome/operation-outcome-error.js';
import type { Core } from '../../service/core.js';
import { saveVisit } from '../../service/save-visit.js';
import { allows, splitScopes } from '../../smart/scopes.js';
import type { SmartClient } from '../../smart/smart-client.js';
import type { SealedJson } from '../../smart/sealed-json.js';
import type { SessionRegistry } from '../../smart/session-registry.js';
import type { SessionStore } from '../../smart/session-store.js';
import type { StoreKeys } from '../../smart/store-keys.js';
import { sessionId } from '../browser-session.js';
import { launchAccess, launchOf } from '../launch-access.js';
import { labelRoute } from '../request-context.js';
import { draftRouter } from './draft.js';
import type { Logger } from '../../infra/logger.js';

export interface ChartDeps {
  readonly core: Core;
  readonly smart: SmartClient;
  readonly logger: Logger;
  readonly fhirTimeoutMs: number;
  readonly store: SessionStore;
  readonly sealer: SealedJson;
  readonly keys: StoreKeys;
  readonly sessions: SessionRegistry;
}

/** What saving a visit writes; a launch granted less can chart and preview but not save. */
const WRITES: ReadonlyArray<readonly [string, 'c' | 'u']> = [
  ['Procedure', 'c'], ['Procedure', 'u'], ['Observation', 'c'], ['Observation', 'u'], ['DocumentReference', 'c'], ['DocumentReference', 'u'], ['Provenance', 'c'],
];
const READS: ReadonlyArray<readonly [string, 'r' | 's']> = [['Patient', 'r'], ['Encounter', 'r'], ['Condition', 's'], ['Coverage', 's'], ['Procedure', 's'], ['Observation', 's'], ['DocumentReference', 's']];

function jsonBody(req: Request): Record<string, unknown> {
  if (!req.is(['application/json', 'application/fhir+json'])) throw badRequest('Send the request as JSON (Content-Type: application/json)');
  const body = req.body as unknown;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * GET /api/context and POST /api/sessions: patient and encounter come only from the SMART launch
 * context (never from parameters), and each call uses that launch's access token.
 */
export function chartRouter(deps: ChartDeps): Router {
  const router = Router();
  router.use(['/api/context', '/api/sessions', '/api/draft'], labelRoute(), launchAccess(deps.smart, deps.logger, deps.fhirTimeoutMs));
  router.use(draftRouter(deps.store, deps.sealer, deps.keys, deps.sessions));

  router.get('/api/context', async (_req, res) => {
    const access = launchOf(res);
    const granted = splitScopes(access.launch.context.scope);
    const missingWrites = WRITES.filter(([type, i]) => !allows(granted, type, i)).map(([type, i]) => `${type}.${i}`);
    const missingReads = READS.filter(([type, i]) => !allows(granted, type, i)).map(([type, i]) => `${type}.${i}`);
    const chart = await loadChartContext(access.gateway, access.patient, access.encounter, deps.core.profiles);
    res.json({
      ...chart,
      launch: {
        fhirUser: access.launch.context.fhirUser ?? null,
        userName: access.launch.context.userName ?? null,
        appContext: access.launch.context.appContext ?? null,
        needPatientBanner: access.launch.context.needPatientBanner,
        canSave: missingWrites.length === 0,
        missingScopes: [...missingReads, ...missingWrites],
      },
    });
  });

  router.post('/api/sessions', async (req, res) => {
    const access = launchOf(res);
    const body = jsonBody(req);
    if ('patient' in body || 'encounter' in body) throw badRequest('Patient and encounter come from the EHR launch, not from the request', 'patient');
    const amend = body.amend as { procedureId?: unknown; versionId?: unknown } | undefined;
    if (amend !== undefined && (typeof amend !== 'object' || typeof amend.procedureId !== 'string' || typeof amend.versionId !== 'string')) {
      throw badRequest('amend must be {procedureId, versionId} of the visit being amended', 'amend');
    }
    const visitNumber = typeof body.visitNumber === 'number' && Number.isInteger(body.visitNumber) && body.visitNumber > 0 ? body.visitNumber : undefined;
    const result = await saveVisit(access.gateway, deps.core, {
      session: body.session,
      target: { patient: access.patient, encounter: access.encounter },
      ...(amend ? { amend: { procedureId: amend.procedureId as string, versionId: amend.versionId as string } } : {}),
      ...(visitNumber ? { course: { visitNumber } } : {}),
    });
    // The visit is in the EHR now: the server-side draft of it has served its purpose.
    await deps.store.delete(deps.keys.draft(sessionId(res), access.patient, access.encounter));
    res.status(result.status === 'created' ? 201 : 200).json(result);
  });
  return router;
}
