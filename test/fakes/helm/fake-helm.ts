import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The stub `helm` executable (see ./helm). */
export const helmStubPath = fileURLToPath(new URL('./helm', import.meta.url));

/** Every argv the stub was called with, oldest first. */
export function helmCalls(stateDir: string): string[][] {
  const log = join(stateDir, 'argv.log');
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);
}

/** What a real release ends in when, say, a hook fails: the status helm reports from then on. */
export function setReleaseStatus(
  stateDir: string,
  namespace: string,
  release: string,
  status: string,
  description: string,
) {
  const file = join(stateDir, 'releases', `${namespace}__${release}.json`);
  const stored = JSON.parse(readFileSync(file, 'utf8')) as { info: { status: string; description: string } };
  stored.info.status = status;
  stored.info.description = description;
  writeFileSync(file, JSON.stringify(stored));
}
