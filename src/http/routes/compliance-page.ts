import { fileURLToPath } from 'node:url';
import { Router, type ErrorRequestHandler } from 'express';
import type { CompliancePolicy } from '../../export/compliance-access.js';
import type { Logger } from '../../infra/logger.js';
import { OperationOutcomeError } from '../../outcome/operation-outcome-error.js';
import type { SmartClient } from '../../smart/smart-client.js';
import { complianceOnly } from '../compliance-gate.js';
import { launchAccess } from '../launch-access.js';
import { launchProblemPage } from '../launch-pages.js';

const PUBLIC = fileURLToPath(new URL('../../../public/app/', import.meta.url));

const TITLES: Readonly<Record<number, string>> = {
  401: 'Sign in again',
  403: 'The compliance export is for compliance staff',
};

export interface CompliancePageDeps {
  readonly smart: SmartClient;
  readonly logger: Logger;
  readonly fhirTimeoutMs: number;
  /** The EHR a staff member signs in to. */
  readonly fhirBaseUrl: string;
  readonly policy: CompliancePolicy;
}

/**
 * GET /compliance (mounted there): without a launch it starts the staff sign-in (standalone SMART
 * launch, no patient); with one, it serves the export page only to compliance staff. Anyone else, or
 * an expired sign-in, gets a plain page saying why, with the matching status (403, 401).
 */
export function compliancePageRouter(deps: CompliancePageDeps): Router {
  const router = Router();
  router.get(
    '/',
    (req, res, next) => {
      if (typeof req.query.launch === 'string') return next();
      res.redirect(302, `/launch?iss=${encodeURIComponent(deps.fhirBaseUrl)}&intent=compliance`);
    },
    launchAccess(deps.smart, deps.logger, deps.fhirTimeoutMs, 'compliance'),
    complianceOnly(deps.policy, deps.logger),
    (_req, res) => {
      res.sendFile('compliance.html', { root: PUBLIC });
    },
  );
  const asPage: ErrorRequestHandler = (err, _req, res, next) => {
    if (!(err instanceof OperationOutcomeError) || res.headersSent) return next(err);
    const title = TITLES[err.status] ?? 'The compliance export is not available right now';
    res.status(err.status).type('html').send(launchProblemPage(title, err.message, 'No records were exported.'));
  };
  router.use(asPage);
  return router;
}
