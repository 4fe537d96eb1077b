// check:api — regenerate the OpenAPI types into a temporary file and fail when they
// differ from the committed src/api/schema.d.ts, so the client is checked against the
// document the server serves (server/internal/api/openapi.json).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const doc = join(root, '../server/internal/api/openapi.json');
const committed = join(root, 'src/api/schema.d.ts');
const dir = mkdtempSync(join(tmpdir(), 'kefu-api-'));
const out = join(dir, 'schema.d.ts');
try {
  const bin = join(root, 'node_modules/.bin/openapi-typescript');
  const r = spawnSync(bin, [doc, '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error('check:api: openapi-typescript failed');
    process.exit(r.status ?? 1);
  }
  const want = readFileSync(out, 'utf8');
  let have = '';
  try {
    have = readFileSync(committed, 'utf8');
  } catch {
    console.error('check:api: src/api/schema.d.ts is missing; run `npm run gen:api`');
    process.exit(1);
  }
  if (want !== have) {
    console.error('check:api: src/api/schema.d.ts is out of date with openapi.json; run `npm run gen:api` and fix any type errors');
    process.exit(1);
  }
  console.log('check:api: src/api/schema.d.ts matches openapi.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
