import type { BackendDefinition } from '../plugin-api/index.ts';

type Loader = () => Promise<{ default: BackendDefinition }>;

/** Built-in backend kinds, loaded lazily so an unused cloud SDK is never imported. */
export const BUILTIN_BACKENDS: Record<string, Loader> = {
  aws: () => import('./aws/index.ts'),
  azure: () => import('./azure/index.ts'),
  'local-helm': () => import('./local-helm/index.ts'),
  mysql: () => import('./mysql/index.ts'),
  osb: () => import('./osb/index.ts'),
};
