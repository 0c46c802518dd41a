// Validates AsyncAPI documents with the official parser; AsyncApiValidationTest runs it on every
// document the build generates. By hand:
//   cd "$(mktemp -d)" && cp <repo>/codegen-tests/src/test/asyncapi/package*.json . && npm ci --ignore-scripts
//   node <repo>/codegen-tests/src/test/asyncapi/validate.mjs <repo>/codegen-tests/src/test/golden/asyncapi/*.json
// Prints every diagnostic; exits 1 when a document does not parse or has an error or a warning.
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';

const require = createRequire(path.join(process.cwd(), 'package.json'));
const { Parser } = require('@asyncapi/parser');
const parser = new Parser();
const ERROR = 0;
const WARNING = 1;
let failed = 0;
for (const file of process.argv.slice(2)) {
  const { document, diagnostics } = await parser.parse(fs.readFileSync(file, 'utf8'));
  const errors = diagnostics.filter((d) => d.severity === ERROR).length;
  const warnings = diagnostics.filter((d) => d.severity === WARNING).length;
  console.log(`${path.basename(file)}: ${document ? 'valid' : 'INVALID'}, ${errors} error(s), ${warnings} warning(s)`);
  for (const d of diagnostics) {
    console.log(`  severity ${d.severity} ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
  }
  if (!document || errors > 0 || warnings > 0) failed++;
}
process.exit(failed ? 1 : 0);
