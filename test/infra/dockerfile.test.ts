import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
type Instruction = { op: string; args: string };
type Stage = { image: string; name: string | undefined; instructions: Instruction[] };

/** The Dockerfile as stages of instructions (continuation lines joined, comments dropped). */
function readStages(): Stage[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') {
      const [image = '', , name] = rest;
      stages.push({ image, name, instructions: [] });
    } else stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const isIgnored = (path: string) =>
  ignored.some((pattern) => {
    const re = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}(/|$)`);
    return re.test(path);
  });

describe('the Dockerfile', () => {
  const stages = readStages();
  const production = stages.at(-1) as Stage;
  const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);

  it('is multi-stage on Node 24, installing the locked dependencies with npm ci in a build stage', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const nodeStages = stages.filter((s) => s.image.startsWith('node:'));
    expect(nodeStages.map((s) => s.image)).toEqual(nodeStages.map(() => expect.stringMatching(/^node:24-/)));
    expect(production.image).toMatch(/^node:24-/);
    const build = stages.find((s) => ops(s, 'RUN').some((r) => r.includes('npm ci')));
    expect(build).toBeDefined();
    expect(build).not.toBe(production);
    expect(ops(production, 'RUN').join(' ')).not.toMatch(/npm (ci|install)/);
  });

  it('runs the production stage as the non-root node user (uid 1000)', () => {
    expect(ops(production, 'USER').at(-1)).toMatch(/^(node|1000)(:|$)/);
  });

  it('copies only files that exist in the repo and that .dockerignore lets through', () => {
    const sources = stages.flatMap((s) =>
      ops(s, 'COPY')
        .filter((args) => !args.startsWith('--from'))
        .flatMap((args) => args.split(/\s+/).slice(0, -1)),
    );
    expect(sources).toEqual(expect.arrayContaining(['package-lock.json', 'src']));
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), source).toBe(true);
      expect(isIgnored(source), source).toBe(false);
    }
    for (const excluded of ['node_modules', '.git', 'test', 'infra']) expect(isIgnored(excluded)).toBe(true);
  });

  it('starts the omnibroker CLI it ships, serving by default', () => {
    expect(ops(production, 'ENTRYPOINT')).toEqual(['["node", "/app/bin/omnibroker.js"]']);
    expect(ops(production, 'CMD')).toEqual(['["serve"]']);
    expect(ops(production, 'COPY')).toEqual(expect.arrayContaining(['bin ./bin', 'src ./src']));
  });
});
