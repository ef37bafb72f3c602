import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedDefault } from '../../src/config/embedded-config.ts';
import { ConfigError, loadConfigFile } from '../../src/config/load-config.ts';

const KEY = 'k'.repeat(40);

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'omnibroker-config-')), 'omnibroker.yaml');
  writeFileSync(file, text);
  return file;
}

const minimal = (backends: string) => `
auth:
  basic: [{ username: platform, password: "\${PW}" }]
encryption:
  keys: [{ id: k1, secret: "${KEY}" }]
backends:
${backends}
`;

describe('config file', () => {
  it('interpolates ${VAR} and ${VAR:-default} and applies defaults', () => {
    const file = writeConfig(
      minimal('  - { name: shared, type: mysql, options: { url: "mysql://root@${DB_HOST:-127.0.0.1}:3306" } }'),
    );
    const { config, configDir } = loadConfigFile(file, { PW: 'long-enough-password' });
    expect(config.auth.basic[0]?.password).toBe('long-enough-password');
    expect(config.backends[0]?.options.url).toBe('mysql://root@127.0.0.1:3306');
    expect(config.backends[0]?.breaker.timeoutMs).toBe(10_000);
    expect(config.listen.port).toBe(8080);
    expect(config.state).toEqual({ type: 'memory' });
    expect(file.startsWith(configDir)).toBe(true);
  });

  it('names the missing environment variable', () => {
    const file = writeConfig(minimal('  - { name: shared, type: mysql }'));
    expect(() => loadConfigFile(file, {})).toThrow(/auth\.basic\[0\]\.password: environment variable PW is not set/);
  });

  it('names the path of every problem', () => {
    const file = writeConfig(minimal('  - { name: Bad_Name, type: mysql, colour: blue }\n  - { name: ok, type: "" }'));
    try {
      loadConfigFile(file, { PW: 'long-enough-password' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).problems.join('\n');
      expect(text).toMatch(/backends\[0\]\.name: must match pattern/);
      expect(text).toMatch(/backends\[0\]\.colour: unknown option/);
      expect(text).toMatch(/backends\[1\]\.type: must NOT have fewer than 1 characters/);
    }
  });

  it('refuses two backends with one name and a config without auth', () => {
    const file = writeConfig(minimal('  - { name: a, type: mysql }\n  - { name: a, type: osb }'));
    expect(() => loadConfigFile(file, { PW: 'long-enough-password' })).toThrow(
      /backends\[1\]\.name: "a" is already used by backends\[0\]/,
    );
    const noAuth = writeConfig(
      `encryption: { keys: [{ id: k1, secret: "${KEY}" }] }\nbackends: [{ name: a, type: mysql }]\n`,
    );
    expect(() => loadConfigFile(noAuth, {})).toThrow(/auth: configure at least one basic user or bearer token/);
  });

  it('reports state errors for the store its type names', () => {
    const file = writeConfig(`${minimal('  - { name: a, type: mysql }')}state: { type: redis, urll: "redis://x" }\n`);
    expect(() => loadConfigFile(file, { PW: 'long-enough-password' })).toThrow(
      /invalid configuration:\n {2}state\.url: is required\n {2}state\.urll: unknown option$/,
    );
    const unknown = writeConfig(`${minimal('  - { name: a, type: mysql }')}state: { type: etcd }\n`);
    expect(() => loadConfigFile(unknown, { PW: 'long-enough-password' })).toThrow(
      /state\.type: must be one of memory, redis, dynamodb/,
    );
  });

  it('says a union once: what would do, or only the errors of the alternative that was meant', () => {
    const problems = (extra: string) => {
      const file = writeConfig(`${minimal('  - { name: a, type: mysql }')}${extra}`);
      try {
        loadConfigFile(file, { PW: 'long-enough-password' });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      throw new Error('the config was accepted');
    };
    expect(problems('state: { type: redis, url: "redis://x", tls: "yes" }\n')).toEqual([
      'state.tls: must be boolean or object',
    ]);
    expect(problems('state: { type: redis, url: "redis://x", tls: { caFil: ca.pem } }\n')).toEqual([
      'state.tls.caFil: unknown option',
    ]);
    expect(problems('log: { level: verbose }\n')).toEqual([
      'log.level: must be one of "trace", "debug", "info", "warn", "error", "fatal", "silent"',
    ]);
  });

  it('refuses a backend call deadline that outlives the mutation lease', () => {
    const file = writeConfig(
      `${minimal('  - { name: a, type: mysql, breaker: { timeoutMs: 5000 } }')}operations: { leaseTtlMs: 2000 }\n`,
    );
    expect(() => loadConfigFile(file, { PW: 'long-enough-password' })).toThrow(
      /backends\[0\]\.breaker\.timeoutMs: 5000 must be shorter than operations\.leaseTtlMs \(2000\)/,
    );
  });

  it('says when the file is missing or not YAML', () => {
    expect(() => loadConfigFile('/nonexistent/omnibroker.yaml')).toThrow(/cannot read the config file/);
    expect(() => loadConfigFile(writeConfig('backends: [unclosed'))).toThrow(/not valid YAML/);
  });
});

describe('embedded default', () => {
  it('uses env overrides and generates a password only when none is given', () => {
    const generated = embeddedDefault({});
    expect(generated.generatedPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(generated.config.backends[0]).toMatchObject({
      name: 'local',
      type: 'mysql',
      options: { url: 'mysql://root@127.0.0.1:3306' },
    });
    const chosen = embeddedDefault({
      OMNIBROKER_PASSWORD: 'my-password-1',
      PORT: '9999',
      OMNIBROKER_MYSQL_URL: 'mysql://u:p@db:3307',
    });
    expect(chosen.generatedPassword).toBeUndefined();
    expect(chosen.config.listen.port).toBe(9999);
    expect(chosen.config.backends[0]?.options.url).toBe('mysql://u:p@db:3307');
  });
});
