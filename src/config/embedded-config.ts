import { randomBytes } from 'node:crypto';
import { validateConfig } from './load-config.ts';
import type { OmnibrokerConfig } from './schema.ts';

export interface EmbeddedDefault {
  config: OmnibrokerConfig;
  /** Set when the password was generated here and must be shown to the user once. */
  generatedPassword?: string;
}

/**
 * `npm start` without a config: memory state and the mysql backend on the local MySQL/MariaDB,
 * so a newcomer can provision a real database at once.
 */
export function embeddedDefault(env: NodeJS.ProcessEnv = process.env): EmbeddedDefault {
  const generated = env.OMNIBROKER_PASSWORD === undefined || env.OMNIBROKER_PASSWORD === '';
  const password = generated ? randomBytes(12).toString('base64url') : (env.OMNIBROKER_PASSWORD as string);
  const config = validateConfig({
    listen: { host: env.HOST ?? '0.0.0.0', port: Number(env.PORT ?? 8080) },
    auth: { basic: [{ username: env.OMNIBROKER_USERNAME ?? 'platform', password }] },
    state: { type: 'memory' },
    encryption: {
      keys: [{ id: 'embedded', secret: env.OMNIBROKER_ENCRYPTION_KEY ?? randomBytes(32).toString('hex') }],
    },
    log: { level: env.LOG_LEVEL ?? 'info' },
    backends: [
      {
        name: 'local',
        type: 'mysql',
        options: { url: env.OMNIBROKER_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306' },
      },
    ],
  });
  return generated ? { config, generatedPassword: password } : { config };
}
