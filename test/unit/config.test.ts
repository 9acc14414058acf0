import { describe, expect, it } from 'vitest';
import { ConfigError, readConfig } from '../../src/config.js';

describe('readConfig', () => {
  it('when nothing is set, then safe defaults apply: loopback, port 3000, no overrides', () => {
    expect(readConfig({})).toEqual({ port: 3000, host: '127.0.0.1', payersDir: undefined, templatesDir: undefined, bodyLimitBytes: 262144 });
  });

  it('when values are set, then they are read and the result is frozen', () => {
    const config = readConfig({ PORT: '0', HOST: '0.0.0.0', NEEDLECHART_PAYERS_DIR: '/etc/nc/payers', NEEDLECHART_TEMPLATES_DIR: ' /etc/nc/templates ' });
    expect(config).toMatchObject({ port: 0, host: '0.0.0.0', payersDir: '/etc/nc/payers', templatesDir: '/etc/nc/templates' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('when several values are bad, then every problem is listed at once', () => {
    const error = (() => {
      try {
        readConfig({ PORT: 'eighty', NEEDLECHART_BODY_LIMIT_BYTES: '5' });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "PORT must be a whole number from 0 to 65535 (got 'eighty')",
      "NEEDLECHART_BODY_LIMIT_BYTES must be a whole number from 1024 to 10485760 (got '5')",
    ]);
  });
});
