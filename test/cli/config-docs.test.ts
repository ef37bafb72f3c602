import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { CONFIG_DOC_PATH, generateConfigDocs } from '../../scripts/gen-config-docs.ts';

it('docs/configuration.md is what scripts/gen-config-docs.ts generates (run `npm run docs:config`)', async () => {
  const generated = await generateConfigDocs();
  expect(generated).toContain('`backends[].breaker.timeoutMs`');
  expect(generated).toContain('### `type: mysql`');
  expect(readFileSync(CONFIG_DOC_PATH, 'utf8')).toBe(generated);
});
