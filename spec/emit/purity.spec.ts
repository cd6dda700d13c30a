import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile, getEmitter, listTargets, type CompileInput } from 'fwgen';
import type { CaseArgs } from '../helpers/golden.js';

// fwgen's own emitters get the set unfrozen (freezing 100,000 destinations costs more than emitting them). A copy of
// an emitter object is not fwgen's own, so the core freezes the set for it: if an emitter changed the set, the copy
// would throw in strict-mode code where the original ran. Every fixture through every target shows none does.
const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const cases = readdirSync(FIXTURES).filter((c) => existsSync(join(FIXTURES, c, 'input.yaml')) && existsSync(join(FIXTURES, c, 'args.json')));

describe('built-in emitters leave the set alone', () => {
  for (const target of listTargets().filter((t) => t.origin === 'built-in')) {
    it(`${target.id}: the same files when the set is frozen, for every fixture`, async function () {
      this.timeout(20_000);
      const original = await getEmitter(target.id);
      const copy = { ...original };
      let compared = 0;
      for (const c of cases) {
        const args = JSON.parse(readFileSync(join(FIXTURES, c, 'args.json'), 'utf8')) as CaseArgs;
        const input: Omit<CompileInput, 'target'> = { files: [join(FIXTURES, c, 'input.yaml')], params: args.params, options: args.options, bind: args.bind, targetOptions: args.set?.[target.id] };
        const plain = await compile({ ...input, target: original }).catch((e: Error) => e);
        if (plain instanceof Error) continue;
        const frozen = await compile({ ...input, target: copy });
        expect(frozen.files, c).to.deep.equal(plain.files);
        compared++;
      }
      expect(compared, 'fixtures this target emits').to.be.greaterThan(3);
    });
  }
});
