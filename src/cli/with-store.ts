import type { LoadedConfig } from '../config/load-config.ts';
import type { StateStore } from '../state/store.ts';
import { openStore } from './open-runtime.ts';

/** Opens the configured store, runs `work`, and always closes the store (so the process can exit). */
export async function withStore<T>(loaded: LoadedConfig, work: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await openStore(loaded);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
