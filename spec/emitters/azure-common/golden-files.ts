/** The golden files of one Azure target in spec/fixtures/<case>/expected/. */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

export function goldenFiles(target: string): { name: string; file: string; ext: string }[] {
  return readdirSync(FIXTURES)
    .filter((c) => !c.startsWith('_') && existsSync(join(FIXTURES, c, 'expected')))
    .sort()
    .flatMap((c) =>
      readdirSync(join(FIXTURES, c, 'expected'))
        .filter((f) => f.startsWith(`${target}.`) && !f.endsWith('.diagnostics.txt') && !f.endsWith('.actual'))
        .map((f) => ({ name: `${c}/${f}`, file: join(FIXTURES, c, 'expected', f), ext: f.slice(f.lastIndexOf('.') + 1) })),
    );
}
