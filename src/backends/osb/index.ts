import { defineBackend, Type } from '../../plugin-api/index.ts';
import { OsbBackend } from './osb-backend.ts';
import { UpstreamClient } from './upstream-client.ts';

const DEFAULT_API_VERSION = '2.17';
const DEFAULT_TIMEOUT_MS = 20_000;

const optionsSchema = Type.Object(
  {
    url: Type.String({
      pattern: '^https?://',
      description: 'Base URL of the upstream OSB broker (the part before /v2/), e.g. https://broker.example.com',
    }),
    username: Type.Optional(Type.String({ description: 'Basic-auth user name for the upstream broker' })),
    password: Type.Optional(Type.String({ description: 'Basic-auth password for the upstream broker' })),
    token: Type.Optional(
      Type.String({ minLength: 1, description: 'Bearer token for the upstream broker (instead of username/password)' }),
    ),
    apiVersion: Type.Optional(
      Type.String({
        pattern: '^2\\.\\d+$',
        default: DEFAULT_API_VERSION,
        description: 'X-Broker-API-Version sent to the upstream broker',
      }),
    ),
    timeoutMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        default: DEFAULT_TIMEOUT_MS,
        description:
          "Longest wait in milliseconds for the upstream's answer, then for each pause in its body (undici's timers: up to ~1 s late); the call's deadline bounds the whole call",
      }),
    ),
    normalizeCredentials: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'false: binding credentials pass through exactly as the upstream sent them. true: flattened to string values with lowercase kebab-case keys, CF-reserved keys renamed, type/provider added (OSB-RULES 23)',
      }),
    ),
    credentialType: Type.Optional(
      Type.String({
        description: 'With normalizeCredentials: `type` to add when the upstream sends none (e.g. postgresql)',
      }),
    ),
    credentialProvider: Type.Optional(
      Type.String({
        description:
          'With normalizeCredentials: `provider` to add when the upstream sends none; default: the backend name',
      }),
    ),
  },
  { additionalProperties: false },
);

export default defineBackend({
  kind: 'osb',
  optionsSchema,
  create(options, deps) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new Error(`url: ${options.url} is not a URL`);
    }
    if (options.token !== undefined && options.username !== undefined) {
      throw new Error('token and username/password are alternatives: give one of them');
    }
    let authorization: string | undefined;
    if (options.token !== undefined) authorization = `Bearer ${options.token}`;
    else if (options.username !== undefined) {
      authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
    }
    const upstream = new UpstreamClient({
      url,
      authorization,
      apiVersion: options.apiVersion ?? DEFAULT_API_VERSION,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    });
    return new OsbBackend(upstream, {
      normalize: options.normalizeCredentials ?? false,
      type: options.credentialType,
      provider: options.credentialProvider ?? deps.name,
    });
  },
});
