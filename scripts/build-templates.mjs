// Precompiles templates/<target>/*.hbs into dist/emitters/<target>/templates.js, so emitters need only the
// Handlebars runtime and never compile a template at run time. Templates are compiled without HTML escaping:
// each emitter escapes values for its own format before they reach a template.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const templatesDir = join(root, 'templates');
if (existsSync(templatesDir)) {
  for (const target of readdirSync(templatesDir).sort()) {
    const files = readdirSync(join(templatesDir, target)).filter((f) => f.endsWith('.hbs')).sort();
    const entries = files.map((f) => {
      const spec = Handlebars.precompile(readFileSync(join(templatesDir, target, f), 'utf8'), { noEscape: true, strict: true });
      return `  ${JSON.stringify(f.slice(0, -4))}: ${spec}`;
    });
    const code = `// Generated from templates/${target}/ by scripts/build-templates.mjs; do not edit.\nexport default {\n${entries.join(',\n')}\n};\n`;
    // Written beside the sources too (git-ignored), so specs that run lib/ through tsx find it.
    for (const base of ['dist', 'lib']) {
      const out = join(root, base, 'emitters', target, 'templates.js');
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, code);
    }
  }
}
