import type { RequestHandler } from 'express';
import { decideComplianceAccess, type CompliancePolicy } from '../export/compliance-access.js';
import type { Logger } from '../infra/logger.js';
import { forbidden } from '../outcome/operation-outcome-error.js';
import { launchOf } from './launch-access.js';

/**
 * After launchAccess on a compliance sign-in: lets through only the staff the policy names (by
 * fhirUser or by PractitionerRole read with the user's own token), since the export itself reads
 * every patient with NeedleChart's system token. Anyone else gets a 403 OperationOutcome saying why.
 * Logs the kind of user refused, never who (a patient's reference is patient data).
 */
export function complianceOnly(policy: CompliancePolicy, logger: Logger): RequestHandler {
  return async (_req, res, next) => {
    const { launch, gateway } = launchOf(res);
    const decision = await decideComplianceAccess(policy, { ...(launch.context.fhirUser ? { fhirUser: launch.context.fhirUser } : {}), scope: launch.context.scope }, gateway);
    if (!decision.allowed) {
      logger.warn('compliance export refused', { requestId: res.locals.requestId as string | undefined, userType: launch.context.fhirUser?.split('/')[0] ?? 'unknown' });
      throw forbidden(decision.message);
    }
    next();
  };
}
