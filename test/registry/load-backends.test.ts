import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { defineBackend, Type } from '../../src/plugin-api/index.ts';
import { loadBackends } from '../../src/registry/load-backends.ts';
import { startHarness } from '../support/harness.ts';

const log = createLogger('silent');
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'plugins');

function backendsConfig(backends: unknown[]) {
  return validateConfig({
    auth: { basic: [{ username: 'platform', password: 'test-password' }] },
    encryption: { keys: [{ id: 'k', secret: 'x'.repeat(32) }] },
    backends,
  }).backends;
}

const load = (backends: unknown[]) =>
  loadBackends(backendsConfig(backends), { configDir: fixtures, log, metrics: new Metrics() });

describe('loading backends', () => {
  it('names the module and the problem for a wrong export, an old API version and a missing module', async () => {
    await expect(load([{ name: 'x', type: './wrong-export.js' }])).rejects.toThrow(
      /backends\[0\]\.type: module "\.\/wrong-export\.js" must default-export defineBackend/,
    );
    await expect(load([{ name: 'x', type: './old-api.js' }])).rejects.toThrow(/built for plugin API version 0/);
    await expect(load([{ name: 'x', type: 'no-such-package-omnibroker' }])).rejects.toThrow(
      /backends\[0\]\.type: cannot load "no-such-package-omnibroker"/,
    );
  });

  it('validates options against the backend schema, naming the path', async () => {
    await expect(load([{ name: 'm', type: 'mysql', options: { url: 42 } }])).rejects.toThrow(
      /backends\[0\]\.options\.url: must be string/,
    );
  });

  it('refuses two backends whose public names collide, naming both', async () => {
    const echo = defineBackend({
      kind: 'echo',
      optionsSchema: Type.Object({}),
      create: () => ({
        catalog: async () => ({
          services: [
            {
              id: 's',
              name: 'same',
              description: 'd',
              bindable: false,
              plans: [{ id: 'p', name: 'p', description: 'd' }],
            },
          ],
        }),
        provision: async () => ({ state: 'done', output: {} }),
        update: async () => ({ state: 'done', output: {} }),
        deprovision: async () => ({ state: 'done', output: {} }),
        bind: async () => ({ state: 'done', output: { credentials: {} } }),
        unbind: async () => ({ state: 'done', output: {} }),
      }),
    });
    await expect(
      startHarness({
        backends: [
          { name: 'one', type: 'echo', prefix: '' },
          { name: 'two', type: 'echo', prefix: '' },
        ],
        definitions: { echo },
      }),
    ).rejects.toThrow(/service name same is produced by both backend "one" and backend "two"/);
  });
});
