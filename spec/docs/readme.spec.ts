import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('README', () => {
  it("the targets' fidelity table is the one the emitters declare (npm run docs)", () => {
    const r = spawnSync(process.execPath, ['scripts/update-readme.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
  });

  it('keeps the two set-up commands', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    expect(readme).to.contain('npm ci && npx fwgen emit --catalog mcr --target squid > allow.conf');
    expect(readme).to.match(/^npm test$/m);
  });

  it('every built-in target has a README saying what it cannot express', async () => {
    const { listTargets } = await import('../../lib/emit/registry.js');
    for (const t of listTargets().filter((x) => x.origin === 'built-in')) {
      expect(existsSync(`${root}lib/emitters/${t.id}/README.md`), t.id).to.equal(true);
    }
  });
});
