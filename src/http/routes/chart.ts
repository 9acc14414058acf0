import { Router, type Request, type Response } from 'express';
import type { Clinician } from '../../fhir/signed-in-user.js';
import { loadLaunchChart, loadSignedInUser } from '../../fhir/load-chart-context.js';
import { badRequest, forbidden } from '../../outcome/operation-outcome-error.js';
import type { Core } from '../../service/core.js';
import { saveVisit } from '../../service/save-visit.js';
import { signVisit } from '../../service/sign-visit.js';
import { fhirStringText } from '../../domain/free-text.js';
import { allows, splitScopes } from '../../smart/scopes.js';
import type { SmartClient } from '../../smart/smart-client.js';
import type { SealedJson } from '../../smart/sealed-json.js';
import type { SessionRegistry } from '../../smart/session-registry.js';
import type { SessionStore } from '../../smart/session-store.js';
import type { StoreKeys } from '../../smart/store-keys.js';
import { sessionId } from '../browser-session.js';
import { launchAccess, launchOf } from '../launch-access.js';
import { labelRoute } from '../request-context.js';
import { launchUserOf, LaunchUsers } from '../launch-user.js';
import { draftRouter } from './draft.js';
import { favouritesRouter } from './favourites.js';
import type { FavouriteStore } from '../../favourites/favourite-store.js';
import type { StoredFavouriteSet } from '../../domain/favourite-sets.js';
import type { Logger } from '../../infra/logger.js';
import type { ClinicPractice } from '../../config.js';
import type { Session } from '../../domain/types.generated.js';

export interface ChartDeps {
  readonly core: Core;
  readonly smart: SmartClient;
  readonly logger: Logger;
  readonly fhirTimeoutMs: number;
  readonly store: SessionStore;
  readonly sealer: SealedJson;
  readonly keys: StoreKeys;
  readonly sessions: SessionRegistry;
  /** Clean-technique practices the clinic pre-checks on a new visit (NEEDLECHART_CLINIC_PRACTICES). */
  readonly clinicPractices: readonly ClinicPractice[];
  /** Favourite muscle sets: where each clinician's are kept, and the clinic's own (read-only). */
  readonly favourites?: { readonly store: FavouriteStore; readonly clinic: readonly StoredFavouriteSet[] };
}

/** Each configured practice as the session field the page pre-checks. */
const PRACTICE_FIELDS: Readonly<Record<ClinicPractice, keyof NonNullable<Session['practices']>>> = {
  'sterile-single-use-needles': 'sterileSingleUseNeedles',
  'sharps-disposed': 'sharpsDisposed',
  gloves: 'gloves',
};

/** What saving a visit writes; a launch granted less can chart and preview but not save. */
const WRITES: ReadonlyArray<readonly [string, 'c' | 'u']> = [
  ['Procedure', 'c'], ['Procedure', 'u'], ['Observation', 'c'], ['Observation', 'u'], ['DocumentReference', 'c'], ['DocumentReference', 'u'], ['Provenance', 'c'],
];
const READS: ReadonlyArray<readonly [string, 'r' | 's']> = [['Patient', 'r'], ['Encounter', 'r'], ['Condition', 's'], ['Coverage', 's'], ['Procedure', 's'], ['Observation', 's'], ['DocumentReference', 's'], ['Practitioner', 'r']];

/** `Type.i` for each scope of `wanted` the launch was not granted. */
function missing(scope: string, wanted: ReadonlyArray<readonly [string, 'c' | 'u' | 'r' | 's']>): string[] {
  const granted = splitScopes(scope);
  return wanted.filter(([type, i]) => !allows(granted, type, i)).map(([type, i]) => `${type}.${i}`);
}

function jsonBody(req: Request): Record<string, unknown> {
  if (!req.is(['application/json', 'application/fhir+json'])) throw badRequest('Send the request as JSON (Content-Type: application/json)');
  const body = req.body as unknown;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Keys of acknowledged warnings: a list of short strings. */
function acknowledgedOf(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > 200 || !value.every((v) => typeof v === 'string' && v.length <= 300)) throw badRequest(`${field} must be a list of the warnings you acknowledged`, field);
  return value as string[];
}

/** An addendum to a signed note: its reason (required, plain text) and the warnings acknowledged. */
function addendumOf(value: unknown): { reason: string; acknowledged: string[] } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('addendum must be {reason, acknowledged}', 'addendum');
  const { reason, acknowledged } = value as { reason?: unknown; acknowledged?: unknown };
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1000)) throw badRequest('The reason for the addendum must be text of at most 1,000 characters', 'addendum.reason');
  const text = typeof reason === 'string' ? fhirStringText(reason) : '';
  return { reason: text, acknowledged: acknowledgedOf(acknowledged, 'addendum.acknowledged') };
}

/**
 * GET /api/context and POST /api/sessions: patient and encounter come only from the SMART launch
 * context (never from parameters), and each call uses that launch's access token. Who saves is the
 * launch's signed-in user as the EHR records them (read with the chart, kept with the launch), never
 * the page: a launch with no clinician user cannot save (403).
 */
export function chartRouter(deps: ChartDeps): Router {
  const router = Router();
  const users = new LaunchUsers(deps.store, deps.sealer, deps.keys, deps.sessions);
  router.use(['/api/context', '/api/sessions', '/api/draft', '/api/visits', '/api/favourites'], labelRoute(), launchAccess(deps.smart, deps.logger, deps.fhirTimeoutMs));
  router.use(draftRouter(deps.store, deps.sealer, deps.keys, deps.sessions));

  /**
   * Who writes to the EHR for this request: the launch's user as the EHR records them (read once per
   * launch), refused (403) when the launch was not granted the writes or has no clinician user.
   */
  async function writer(res: Response, verb: 'save' | 'sign'): Promise<Clinician> {
    const access = launchOf(res);
    const missingWrites = missing(access.launch.context.scope, WRITES);
    if (missingWrites.length) throw forbidden(`This launch cannot ${verb}: the EHR did not grant ${missingWrites.join(', ')}.`);
    return signedIn(res);
  }

  /** The launch's signed-in clinician as the EHR records them (read once per launch); refused (403) when the launch has none. */
  async function signedIn(res: Response): Promise<Clinician> {
    const access = launchOf(res);
    const user = await users.of(sessionId(res), access.id, () => loadSignedInUser(access.gateway, access.patient, launchUserOf(access)));
    if (!user.ok) throw forbidden(user.reason);
    return user.clinician;
  }

  // A clinician's favourite sets are theirs in this EHR: keyed by the EHR's base URL and the Practitioner, both from the verified launch.
  if (deps.favourites) {
    router.use(favouritesRouter({ ...deps.favourites, check: deps.core.check, owner: async (res) => `${launchOf(res).launch.iss}|${(await signedIn(res)).performer.reference}` }));
  }

  router.get('/api/context', async (_req, res) => {
    const access = launchOf(res);
    const missingWrites = missing(access.launch.context.scope, WRITES);
    const missingReads = missing(access.launch.context.scope, READS);
    const { context, user } = await loadLaunchChart(access.gateway, access.patient, access.encounter, deps.core.profiles, launchUserOf(access), new Date(), deps.core.timeZone);
    await users.remember(sessionId(res), access.id, user);
    res.json({
      ...context,
      launch: {
        fhirUser: access.launch.context.fhirUser ?? null,
        userName: access.launch.context.userName ?? null,
        // The signed-in clinician as the EHR records them: the performer of the visit, whatever a page sends.
        clinician: user.ok ? user.clinician.performer : null,
        appContext: access.launch.context.appContext ?? null,
        needPatientBanner: access.launch.context.needPatientBanner,
        canSave: missingWrites.length === 0 && user.ok,
        ...(user.ok ? {} : { cannotSave: user.reason }),
        missingScopes: [...missingReads, ...missingWrites],
      },
      // The clinic's clean-technique defaults, pre-checked on a new visit; the clinician confirms each.
      clinic: { practices: deps.clinicPractices.map((p) => PRACTICE_FIELDS[p]) },
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
    // A body's `visitNumber` is ignored: the chart counts.
    const author = await writer(res, 'save');
    const addendum = body.addendum === undefined ? undefined : addendumOf(body.addendum);
    const result = await saveVisit(access.gateway, deps.core, {
      session: body.session,
      target: { patient: access.patient, encounter: access.encounter },
      author,
      ...(amend ? { amend: { procedureId: amend.procedureId as string, versionId: amend.versionId as string } } : {}),
      ...(addendum ? { addendum } : {}),
    });
    // The visit is in the EHR now: the server-side draft of it has served its purpose.
    await deps.store.delete(deps.keys.draft(sessionId(res), access.patient, access.encounter));
    res.status(result.status === 'created' ? 201 : 200).json(result);
  });

  // Signing is its own action, by the signed-in clinician who performed the visit (never a body's name).
  router.post('/api/visits/:procedureId/sign', async (req, res) => {
    const access = launchOf(res);
    const body = jsonBody(req);
    const procedureId = String(req.params.procedureId ?? '');
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(procedureId)) throw badRequest('The visit to sign must be named by its id', 'procedureId');
    if (typeof body.versionId !== 'string' || !body.versionId) throw badRequest('versionId must name the version of the visit you reviewed', 'versionId');
    const author = await writer(res, 'sign');
    const result = await signVisit(access.gateway, deps.core, {
      target: { patient: access.patient, encounter: access.encounter },
      author,
      procedureId,
      versionId: body.versionId,
      acknowledged: acknowledgedOf(body.acknowledged, 'acknowledged'),
    });
    res.status(200).json(result);
  });
  return router;
}
