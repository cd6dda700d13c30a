// Empties dist/ before a build, so a module whose source was deleted or renamed does not linger in it (and in the
// package npm pack makes from it).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'), { recursive: true, force: true });
