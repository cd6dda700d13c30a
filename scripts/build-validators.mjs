// Compiles the JSON schemas in schemas/ into standalone validators in dist/, so the CLI never compiles a schema at start-up.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const validators = [
  ['requirement-set.schema.json', 'load/requirement-set.validator.js'],
  ['project.schema.json', 'project/project.validator.js'],
];
for (const [schemaFile, out] of validators) {
  let schema;
  try {
    schema = JSON.parse(readFileSync(join(root, 'schemas', schemaFile), 'utf8'));
  } catch (e) {
    if (e.code === 'ENOENT') continue;
    throw e;
  }
  const ajv = new Ajv2020.default({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, strictRequired: false, code: { source: true, esm: true, lines: false } });
  const validate = ajv.compile(schema);
  const code = `// Generated from schemas/${schemaFile} by scripts/build-validators.mjs; do not edit.\n` + toEsm(standaloneCode.default(ajv, validate));
  // Written beside the sources too (git-ignored), so specs that run lib/ through tsx find it.
  for (const base of ['dist', 'lib']) {
    const target = join(root, base, out);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
}

// ajv's ESM output still calls require() for its runtime helpers; give the module a require of its own.
function toEsm(code) {
  return code.replace('"use strict";', '"use strict";import { createRequire } from "node:module";const require = createRequire(import.meta.url);');
}
