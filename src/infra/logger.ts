import { pino } from 'pino';

/**
 * Structured logs (pino) that take only named, non-clinical fields: ids, routes, statuses, timings.
 * Bodies, resources and free text never go to logs (STYLE.md convention 13); as a second line of
 * defence, fields that could carry credentials or patient data are redacted by name.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Field names whose values are never written, whoever passes them. */
export const REDACTED_FIELDS = ['authorization', 'cookie', 'token', 'accessToken', 'access_token', 'refresh_token', 'id_token', 'patient', 'name', 'birthDate', 'note', 'session', 'body', 'query'];

export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`), level = 'info'): Logger {
  const log = pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'message', formatters: { level: (label) => ({ level: label }) }, redact: { paths: REDACTED_FIELDS, censor: '[redacted]' } },
    { write: (line: string) => write(line.trimEnd()) },
  );
  return {
    info: (message, fields = {}) => log.info(fields, message),
    warn: (message, fields = {}) => log.warn(fields, message),
    error: (message, fields = {}) => log.error(fields, message),
  };
}

/** Discards everything: for tests and CLI runs where logs would be noise. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
