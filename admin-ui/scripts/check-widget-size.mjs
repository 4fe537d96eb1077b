// Fails when the built chat widget is over its size budget (gzipped): it loads on
// customers' pages, so every kilobyte counts.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const LIMIT = 50 * 1024;
const here = path.dirname(fileURLToPath(import.meta.url));
const file = path.resolve(here, '../../server/internal/webui/ui/dist/widget.js');
let buf;
try {
  buf = readFileSync(file);
} catch {
  console.error(`check-widget-size: ${file} not found (run "npm run build")`);
  process.exit(1);
}
const gz = gzipSync(buf, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (gz > LIMIT) {
  console.error(`widget.js is ${kb(gz)} gzipped (${kb(buf.length)} raw): over the ${kb(LIMIT)} budget`);
  process.exit(1);
}
console.log(`widget.js: ${kb(buf.length)} raw, ${kb(gz)} gzipped (budget ${kb(LIMIT)})`);
