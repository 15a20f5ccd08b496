// The committed types (src/schema.ts) are what openapi-typescript makes of the server's
// OpenAPI document (docs/api/openapi.json): regenerated here, any difference fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const sdk = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const spec = resolve(sdk, '../../docs/api/openapi.json');

test('src/schema.ts is generated from docs/api/openapi.json', () => {
  assert.ok(existsSync(spec), `${spec} is missing`);
  const tmp = mkdtempSync(join(tmpdir(), 'timeside-sdk-gen-'));
  try {
    const out = join(tmp, 'schema.ts');
    execFileSync(join(sdk, 'node_modules', '.bin', 'openapi-typescript'), [spec, '-o', out], { stdio: 'pipe' });
    const want = readFileSync(out, 'utf8');
    const have = readFileSync(join(sdk, 'src', 'schema.ts'), 'utf8');
    assert.ok(have === want, 'src/schema.ts differs from the spec\'s types: run `npm run generate` in sdk/js and commit it');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
