import { Router, type Request, type Response } from 'express';
import type { CompliancePolicy } from '../../export/compliance-access.js';
import { findPatients, findPerformers, patientQuery, performerQuery } from '../../export/compliance-search.js';
import type { Logger } from '../../infra/logger.js';
import { invalid } from '../../outcome/operation-outcome-error.js';
import type { SealedJson } from '../../smart/sealed-json.js';
import type { SmartClient } from '../../smart/smart-client.js';
import { sealChoice } from '../compliance-choice.js';
import { complianceOnly } from '../compliance-gate.js';
import { launchAccess, launchOf } from '../launch-access.js';
import { labelRoute } from '../request-context.js';

export interface ComplianceSearchDeps {
  readonly smart: SmartClient;
  readonly sealer: SealedJson;
  readonly logger: Logger;
  readonly fhirTimeoutMs: number;
  readonly policy: CompliancePolicy;
}

/** The query string as plain strings (a repeated parameter counts as its first value). */
const queryOf = (req: Request): Record<string, unknown> => Object.fromEntries(Object.entries(req.query).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));

/** The signed-in staff member: the one a pick is sealed for. */
const ownerOf = (res: Response): string => launchOf(res).launch.context.fhirUser ?? '';

/**
 * GET /api/compliance/patients?name=…&birthdate=…&mrn=… and GET /api/compliance/performers?name=…:
 * the compliance page finds a patient or a performer the way staff know them, instead of typing FHIR
 * ids. Only compliance staff (the same gate as /api/exports); the search goes to the EHR with the
 * staff member's own sign-in (never NeedleChart's system token), so the EHR applies their access.
 * The answer holds only what the page shows (name, date of birth, MRN; name, credentials, NPI) and,
 * for each, a sealed pick the page sends back as the export's filter: no FHIR id reaches the browser.
 * At most 20 are listed, with `more` when the search should be narrowed. Responses are no-store
 * (create-app.ts), and the logs get the route and status only.
 */
export function complianceSearchRouter(deps: ComplianceSearchDeps): Router {
  const router = Router();
  router.use('/api/compliance', labelRoute(), launchAccess(deps.smart, deps.logger, deps.fhirTimeoutMs, 'compliance'), complianceOnly(deps.policy, deps.logger));

  router.get('/api/compliance/patients', async (req, res) => {
    const { query, issues } = patientQuery(queryOf(req));
    if (!query) throw invalid(issues, 400);
    const { matches, more } = await findPatients(launchOf(res).gateway, query);
    const owner = ownerOf(res);
    const patients = await Promise.all(matches.map(async ({ reference, ...shown }) => ({ ...shown, choice: await sealChoice(deps.sealer, 'patient', reference, owner) })));
    res.json({ patients, more });
  });

  router.get('/api/compliance/performers', async (req, res) => {
    const { query, issues } = performerQuery(queryOf(req));
    if (!query) throw invalid(issues, 400);
    const { matches, more } = await findPerformers(launchOf(res).gateway, query);
    const owner = ownerOf(res);
    const performers = await Promise.all(matches.map(async ({ reference, ...shown }) => ({ ...shown, choice: await sealChoice(deps.sealer, 'performer', reference, owner) })));
    res.json({ performers, more });
  });
  return router;
}
