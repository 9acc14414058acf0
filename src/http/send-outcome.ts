import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { OperationOutcome } from 'fhir/r4.js';
import { badRequest, internal, notFound, OperationOutcomeError, tooLarge } from '../outcome/operation-outcome-error.js';
import type { Logger } from '../infra/logger.js';
import { routeOf } from './request-context.js';

export const FHIR_JSON = 'application/fhir+json';

/** The one place an OperationOutcome is written to a response. */
export function sendOutcome(res: Response, status: number, outcome: OperationOutcome): void {
  res.status(status).type(FHIR_JSON).send(JSON.stringify(outcome));
}

/** Unknown routes answer with a FHIR 404, not express's HTML page; the path is neither echoed nor logged (it may hold a name). */
export const notFoundHandler: RequestHandler = (_req, _res, next) => {
  next(notFound('NeedleChart has no page or API at this address'));
};

interface BodyParserError {
  type?: string;
  status?: number;
}

/** A 4xx error raised by body-parser that carries no `type` (e.g. a body claiming gzip that is not): the client's fault, never a 500. */
function isClientHttpError(err: unknown): boolean {
  const e = err as { status?: unknown; expose?: unknown } | undefined;
  return typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true;
}

/** Maps every error to an OperationOutcome: body-parse failures to 400/413, ours as thrown, anything else to a generic 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    let error: OperationOutcomeError;
    const parserType = (err as BodyParserError | undefined)?.type;
    if (err instanceof OperationOutcomeError) error = err;
    else if (parserType === 'entity.parse.failed') error = badRequest('The request body is not valid JSON');
    else if (parserType === 'entity.too.large') error = tooLarge('The request body is larger than this server accepts');
    else if (parserType === 'encoding.unsupported' || parserType === 'charset.unsupported') error = badRequest('The request body must be UTF-8 JSON');
    else if (isClientHttpError(err)) error = badRequest('The request body could not be read (bad Content-Encoding or a broken stream)');
    else error = internal(err);
    if (error.status >= 500) {
      // Log the error's class and stack frames only: messages of unknown errors may carry patient data.
      const cause = err instanceof Error ? err : undefined;
      logger.error('request failed', { requestId: res.locals.requestId as string | undefined, method: req.method, route: routeOf(req, res), errorName: cause?.name ?? typeof err, stack: cause?.stack?.split('\n').slice(1, 6).join('\n') });
    }
    sendOutcome(res, error.status, error.outcome);
  };
}
