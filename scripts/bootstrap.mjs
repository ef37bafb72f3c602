#!/usr/bin/env node
// Plain Node on purpose: it runs before any dependency is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'node_modules', '.omnibroker-lock-hash');

function lockHash() {
  return createHash('sha256')
    .update(readFileSync(join(root, 'package-lock.json')))
    .digest('hex');
}

function run(cmd, args, extraEnv = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...extraEnv } });
  if (result.error) {
    console.error(`omnibroker: could not run ${cmd}: ${result.error.message}`);
    process.exit(1);
  }
  return result.status ?? 1;
}

function ensureInstalled() {
  const wanted = lockHash();
  const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (have === wanted) return;
  console.error('omnibroker: installing the locked dependencies (npm ci) ...');
  if (run('npm', ['ci', '--no-audit', '--no-fund']) !== 0) {
    console.error('omnibroker: npm ci failed; see the output above');
    process.exit(1);
  }
  writeFileSync(stampFile, `${wanted}\n`);
}

const [command = 'serve', ...rest] = process.argv.slice(2);
ensureInstalled();
const tsx = ['--import', 'tsx'];
const bin = (name) => join(root, 'node_modules', '.bin', name);

switch (command) {
  case 'serve':
    process.exit(run(process.execPath, [...tsx, 'src/main.ts', 'serve', ...rest]));
    break;
  case 'test': {
    const steps = [
      ['type-check', bin('tsc'), ['--noEmit']],
      ['lint', bin('biome'), ['check', '.']],
      ['tests', bin('vitest'), ['run', ...rest]],
    ];
    for (const [label, cmd, args] of steps) {
      console.error(`omnibroker: ${label} ...`);
      const status = run(cmd, args);
      if (status !== 0) {
        console.error(`omnibroker: ${label} failed`);
        process.exit(status);
      }
    }
    break;
  }
  case 'contract':
    process.exit(run(bin('vitest'), ['run', 'test/contract', ...rest]));
    break;
  case 'bench':
    process.exit(run(process.execPath, [...tsx, 'bench/run.ts', ...rest]));
    break;
  case 'vitest':
    process.exit(run(bin('vitest'), rest));
    break;
  default:
    process.exit(run(process.execPath, [...tsx, 'src/main.ts', command, ...rest]));
}
