import { Router, type Request } from 'express';
import type { FhirGateway } from '../../fhir/client.js';
import { loadChartContext } from '../../fhir/load-chart-context.js';
import type { VisitTarget } from '../../fhir/visit-context.js';
import { badRequest, forbidden } from '../../outcome/operation-outcome-error.js';
import type { Core } from '../../service/core.js';
import { saveVisit } from '../../service/save-visit.js';

export interface ChartDeps {
  readonly core: Core;
  readonly gateway: FhirGateway;
  /** True when the FHIR target is the embedded sandbox: only then may patient and encounter come as parameters. */
  readonly sandbox: boolean;
}

const PATIENT = /^Patient\/[A-Za-z0-9\-.]{1,64}$/;
const ENCOUNTER = /^Encounter\/[A-Za-z0-9\-.]{1,64}$/;

/**
 * Until the SMART launch supplies the context, patient and encounter come as explicit parameters,
 * and only against the sandbox: against a real EHR they must come from the launch.
 */
function targetOf(source: Record<string, unknown>, deps: ChartDeps, where: string): VisitTarget {
  if (!deps.sandbox) throw forbidden('Patient and encounter come from the SMART launch when NeedleChart is connected to an EHR');
  const patient = source.patient;
  const encounter = source.encounter;
  if (typeof patient !== 'string' || !PATIENT.test(patient)) throw badRequest(`${where} patient must be a reference like Patient/<id>`, 'patient');
  if (typeof encounter !== 'string' || !ENCOUNTER.test(encounter)) throw badRequest(`${where} encounter must be a reference like Encounter/<id>`, 'encounter');
  return { patient, encounter };
}

function jsonBody(req: Request): Record<string, unknown> {
  if (!req.is(['application/json', 'application/fhir+json'])) throw badRequest('Send the request as JSON (Content-Type: application/json)');
  const body = req.body as unknown;
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('The request body must be a JSON object');
  return body as Record<string, unknown>;
}

/** GET /api/context (the chart a visit is charted in) and POST /api/sessions (save or amend a visit). */
export function chartRouter(deps: ChartDeps): Router {
  const router = Router();
  router.get('/api/context', async (req, res) => {
    const target = targetOf(req.query as Record<string, unknown>, deps, 'The query parameter');
    res.json(await loadChartContext(deps.gateway, target.patient, target.encounter, deps.core.profiles));
  });

  router.post('/api/sessions', async (req, res) => {
    const body = jsonBody(req);
    const target = targetOf(body, deps, 'The body field');
    const amend = body.amend as { procedureId?: unknown; versionId?: unknown } | undefined;
    if (amend !== undefined && (typeof amend !== 'object' || typeof amend.procedureId !== 'string' || typeof amend.versionId !== 'string')) {
      throw badRequest('amend must be {procedureId, versionId} of the visit being amended', 'amend');
    }
    const visitNumber = typeof body.visitNumber === 'number' && Number.isInteger(body.visitNumber) && body.visitNumber > 0 ? body.visitNumber : undefined;
    const result = await saveVisit(deps.gateway, deps.core, {
      session: body.session,
      target,
      ...(amend ? { amend: { procedureId: amend.procedureId as string, versionId: amend.versionId as string } } : {}),
      ...(visitNumber ? { course: { visitNumber } } : {}),
    });
    res.status(result.status === 'created' ? 201 : 200).json(result);
  });
  return router;
}
