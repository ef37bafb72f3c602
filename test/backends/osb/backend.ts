import type { Static } from '../../../src/plugin-api/index.ts';
import osbBackend from '../../../src/backends/osb/index.ts';
import { recordingLogger } from './call-context.ts';

export type OsbOptions = Static<typeof osbBackend.optionsSchema>;

export async function createOsbBackend(options: OsbOptions) {
  return osbBackend.create(options, { name: 'legacy', log: recordingLogger(), configDir: '.' });
}
