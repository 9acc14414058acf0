/**
 * A structured logger that takes only named, non-clinical fields. Bodies, resources and free text
 * never go to logs (STYLE.md convention 13); callers pass ids, routes, statuses and timings.
 */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function createJsonLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const log = (level: string) => (message: string, fields: LogFields = {}) => {
    write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }));
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** Discards everything: for tests and CLI runs where logs would be noise. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
