// Validates AsyncAPI documents with the official parser (not part of the Maven build: it needs Node).
//   cd "$(mktemp -d)" && npm init -y >/dev/null && npm install @asyncapi/parser@3
//   node <repo>/codegen-tests/src/test/asyncapi/validate.mjs <repo>/codegen-tests/src/test/golden/asyncapi/*.json
// Exits 1 when a document does not parse; prints every diagnostic.
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { Parser } = require('@asyncapi/parser');
const parser = new Parser();
let invalid = 0;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'));
  const errors = diagnostics.filter((d) => d.severity === 0).length;
  console.log(`${path.basename(file)}: ${document ? 'valid' : 'INVALID'}, ${errors} error(s)`);
  for (const d of diagnostics) {
    console.log(`  severity ${d.severity} ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
  }
  if (!document) invalid++;
}
process.exit(invalid ? 1 : 0);
