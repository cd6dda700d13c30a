import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const loader = join(root, 'dist', 'cli-bundle', 'main.js');

describe('the CLI bundle (scripts/bundle-cli.mjs)', function () {
  before(function () {
    if (!existsSync(loader)) this.skip();
  });

  it("starts from V8's code cache written by the build, for the Node that built it", function () {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(loader).href)}); console.log(JSON.stringify(m.bundleInfo()));`], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ codeCache: true });
  });

  it('works when V8 rejects the cache (other V8 flags), and prints nothing but the output', function () {
    const info = spawnSync(process.execPath, ['--max-lazy', '--input-type=module', '-e', `const m = await import(${JSON.stringify(pathToFileURL(loader).href)}); console.log(JSON.stringify(m.bundleInfo()));`], { encoding: 'utf8', timeout: 30_000 });
    expect(JSON.parse(info.stdout)).to.deep.equal({ codeCache: false });
    for (const flags of [[], ['--max-lazy']]) {
      const r = spawnSync(process.execPath, [...flags, join(root, 'bin', 'fwgen.js'), 'emit', '--catalog', 'mcr', '--target', 'squid'], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain('http_access');
      expect(r.stderr).to.equal('squid: 2 requirements\n');
    }
  });

  it('answers --version without loading the bundle, with the version of package.json', function () {
    const r = spawnSync(process.execPath, [join(root, 'bin', 'fwgen.js'), '--version'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).to.equal(`${(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });
});
