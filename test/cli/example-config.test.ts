import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_BACKENDS } from '../../src/backends/builtin.ts';
import { createOptionsAjv } from '../../src/config/ajv.ts';
import { loadConfigFile } from '../../src/config/load-config.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', 'omnibroker.example.yaml');
const ENV = {
  OMNIBROKER_PASSWORD: 'platform-password',
  OMNIBROKER_TOKEN: 'a-bearer-token-of-16-chars',
  REDIS_PASSWORD: 'redis-password',
  OMNIBROKER_KEY_1: 'first-encryption-secret-of-32-characters',
  OMNIBROKER_KEY_2: 'second-encryption-secret-of-32-characters',
  MYSQL_ROOT_PASSWORD: 'root-password',
  LEGACY_BROKER_PASSWORD: 'legacy-password',
  AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
  AZURE_ADMIN_PASSWORD_KEY: 'an-admin-password-key-of-32-characters',
};

describe('omnibroker.example.yaml', () => {
  const { config } = loadConfigFile(EXAMPLE, ENV);

  it('is a valid config once its environment variables are set', () => {
    expect(config.auth.basic[0]?.password).toBe('platform-password');
    expect(config.state.type).toBe('redis');
    expect(config.encryption.keys.map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  it('gives every built-in backend options its own schema accepts', async () => {
    const ajv = createOptionsAjv();
    const kinds = new Set(config.backends.map((b) => b.type));
    expect([...kinds].sort()).toEqual(Object.keys(BUILTIN_BACKENDS).sort());
    for (const backend of config.backends) {
      const loader = BUILTIN_BACKENDS[backend.type];
      if (loader === undefined) continue;
      const { default: definition } = await loader();
      const validate = ajv.compile(definition.optionsSchema);
      expect(validate(structuredClone(backend.options)), `${backend.name}: ${JSON.stringify(validate.errors)}`).toBe(
        true,
      );
    }
  });
});
