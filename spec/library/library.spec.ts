import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node = (args: string[], input?: string) => spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', input, timeout: 60_000 });

describe('fwgen as a library', () => {
  it('importing it loads no CLI, no yargs and no emitter, and does nothing', () => {
    const r = node(['--import', './spec/helpers/trace-imports.mjs', '--input-type=module', '-e', "const m = await import('fwgen'); console.log(Object.keys(m).length)"]);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.match(/^\d+$/);
    const urls = JSON.parse(/TRACE (.*)/.exec(r.stderr)![1]!) as string[];
    expect(urls.some((u) => u.includes('/dist/index.js'))).to.equal(true);
    expect(urls.filter((u) => /node_modules\/yargs|\/dist\/cli\/(main|commands)|\/dist\/emitters\//.test(u))).to.deep.equal([]);
  });

  it('the worked example in examples/library compiles against the built types', () => {
    const r = spawnSync(process.execPath, [fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url)), '-p', 'examples/library/tsconfig.json'], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });

  it('the worked example runs and prints a Squid fragment', () => {
    const r = node(['--import', 'tsx', 'examples/library/compile-mcr.ts']);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('acl fwgen_connect method CONNECT');
    expect(r.stderr).to.match(/squid: squid\.conf; 0 dropped/);
  });
});
