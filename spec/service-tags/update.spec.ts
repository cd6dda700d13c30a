import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const snapshot = join(root, 'data', 'service-tags', 'ServiceTags_Public_20251028.json');
const snapshotText = readFileSync(snapshot, 'utf8');

/** The snapshot as the next week's file: changeNumber 376 and one prefix of MicrosoftContainerRegistry replaced. */
const nextWeek = snapshotText.replace('"changeNumber": 375', '"changeNumber": 376');

describe('fwgen service-tags update', function () {
  let dir: string;
  let server: Server;
  let base: string;
  /** What the local server answers, by path; a path missing here gets a 404, '/hang' never answers. */
  const routes = new Map<string, { type: string; body: string | Buffer; disposition?: string }>();
  const env = () => ({ ...process.env, FWGEN_TODAY: '2025-11-05' });
  const update = (...args: string[]) => runCli(['service-tags', 'update', ...args], { cwd: dir, env: env() });
  const installed = () => readdirSync(join(dir, 'service-tags')).sort();

  before(async function () {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers: the client's timeout must end it
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/download/ServiceTags_Public_20251104.json' });
        return res.end();
      }
      const r = routes.get(req.url ?? '');
      if (!r) {
        res.writeHead(404);
        return res.end('not found');
      }
      res.writeHead(200, { 'content-type': r.type, ...(r.disposition ? { 'content-disposition': r.disposition } : {}) });
      res.end(r.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    routes.set('/download/ServiceTags_Public_20251104.json', { type: 'application/json', body: nextWeek });
    routes.set('/download/ServiceTags_Public_20251111.json', { type: 'application/json', body: snapshotText.replace('"changeNumber": 375', '"changeNumber": 377') });
    // A download page, as Microsoft's: the link to the file in a script blob (escaped slashes) and in an anchor.
    routes.set(
      '/details.aspx',
      {
        type: 'text/html',
        body: `<html><body><a href="${base}/download/ServiceTags_Public_20251104.json">Download</a><script>var d={"url":"${base.replace(/\//g, '\\/')}\\/download\\/ServiceTags_Public_20251111.json"}</script><a href="/x/ServiceTags_China_20260720.json">China</a></body></html>`,
      },
    );
    routes.set('/no-link.html', { type: 'text/html', body: '<html>nothing here</html>' });
    routes.set('/named', { type: 'application/json', body: nextWeek, disposition: 'attachment; filename="ServiceTags_Public_20251104.json"' });
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(function () {
    dir = mkdtempSync(join(tmpdir(), 'fwgen-tags-update-'));
    mkdirSync(join(dir, 'service-tags'));
    copyFileSync(snapshot, join(dir, 'service-tags', 'ServiceTags_Public_20251028.json'));
    writeFileSync(join(dir, 'fwgen.yaml'), 'defaults:\n  serviceTags: service-tags/\noutputs:\n  - path: nsg.json\n    target: azure-nsg\n    catalogs: [mcr]\n');
    writeFileSync(join(dir, 'ServiceTags_Public_20251104.json'), nextWeek);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("installs a newer local file into fwgen.yaml's folder under its dated name, byte for byte, and removes the old one", async function () {
    const r = await update('--from', 'ServiceTags_Public_20251104.json');
    expect(r.code, r.stderr).to.equal(0);
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251104.json']);
    expect(readFileSync(join(dir, 'service-tags', 'ServiceTags_Public_20251104.json'), 'utf8')).to.equal(nextWeek);
    expect(r.stderr).to.contain('installed service-tags/ServiceTags_Public_20251104.json (cloud Public, changeNumber 376, published 2025-11-04, 3039 tags)');
    expect(r.stderr).to.contain('was ServiceTags_Public_20251028.json (changeNumber 375): 0 tags changed');
    // generate now uses it, and says so in the output.
    const g = await runCli(['generate'], { cwd: dir, env: env() });
    expect(g.code, g.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'nsg.json'), 'utf8')).to.contain('Service tags: ServiceTags_Public_20251104.json (cloud Public, changeNumber 376, 2025-11-04)');
    expect(g.stderr).not.to.contain('TAGS_STALE');
  });

  it('downloads from a URL, and from a download page that links to the file (the newest link wins)', async function () {
    const direct = await update('--from', `${base}/download/ServiceTags_Public_20251104.json`);
    expect(direct.code, direct.stderr).to.equal(0);
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251104.json']);
    const page = await update('--from', `${base}/details.aspx`);
    expect(page.code, page.stderr).to.equal(0);
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251111.json']);
    expect(page.stderr).to.contain('changeNumber 377');
  });

  it('takes the name from a redirect or Content-Disposition', async function () {
    expect((await update('--from', `${base}/redirect`)).code).to.equal(0);
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251104.json']);
    rmSync(join(dir, 'service-tags', 'ServiceTags_Public_20251104.json'));
    copyFileSync(snapshot, join(dir, 'service-tags', 'ServiceTags_Public_20251028.json'));
    expect((await update('--from', `${base}/named`)).code).to.equal(0);
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251104.json']);
  });

  it('refuses an older file (TAGS_OLDER at its changeNumber) and does nothing for the same one', async function () {
    writeFileSync(join(dir, 'ServiceTags_Public_20251021.json'), snapshotText.replace('"changeNumber": 375', '"changeNumber": 374'));
    const older = await update('--from', 'ServiceTags_Public_20251021.json');
    expect(older.code).to.equal(2);
    expect(older.stderr).to.match(/^ServiceTags_Public_20251021\.json:2:19: error\[TAGS_OLDER\]: \$\.changeNumber: 374 is older than the installed file's \(service-tags\/ServiceTags_Public_20251028\.json, changeNumber 375\); nothing installed/m);
    const same = await update('--from', snapshot);
    expect(same.code).to.equal(0);
    expect(same.stderr).to.contain('already has changeNumber 375; nothing installed');
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251028.json']);
  });

  it('refuses a file for another cloud, naming the line of its cloud', async function () {
    writeFileSync(join(dir, 'ServiceTags_China_20260720.json'), snapshotText.replace('"cloud": "Public"', '"cloud": "China"'));
    const r = await update('--from', 'ServiceTags_China_20260720.json');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^ServiceTags_China_20260720\.json:\d+:\d+: error\[TAGS_FILE\]: \$\.cloud: the file is for cloud "China", not Public \("Public"\)/m);
    expect(r.stderr).to.contain('--cloud AzureChina');
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251028.json']);
    // With --cloud it goes beside the Public file only in a folder of its own: a folder holds one cloud.
    const beside = await update('--from', 'ServiceTags_China_20260720.json', '--cloud', 'AzureChina', '--out', 'service-tags/');
    expect(beside.code).to.equal(2);
    expect(beside.stderr).to.contain("service-tags/ holds another cloud's file (ServiceTags_Public_20251028.json)");
    const ok = await update('--from', 'ServiceTags_China_20260720.json', '--cloud', 'AzureChina', '--out', 'china/');
    expect(ok.code, ok.stderr).to.equal(0);
    expect(readdirSync(join(dir, 'china'))).to.deep.equal(['ServiceTags_China_20260720.json']);
  });

  it('reports bad input as file:line:col, exit 2, and leaves no file behind', async function () {
    const cases: [string, string, RegExp][] = [
      ['ServiceTags_Public_20251104.json', '{\n  "changeNumber": 376,\n  "cloud": "Public",\n  "values": [\n', /^ServiceTags_Public_20251104\.json:5:1: error\[TAGS_FILE\]: \$: not valid JSON/m],
      ['ServiceTags_Public_20251104.json', '{\n  "changeNumber": 376,\n  "cloud": "Public",\n  "values": [\n    { "name": "X", "properties": { "region": "" } }\n  ]\n}\n', /^ServiceTags_Public_20251104\.json:5:34: error\[TAGS_FILE\]: \$\.values\[0\]\.properties\.addressPrefixes: missing or not an array in tag X/m],
      ['ServiceTags_Public_20251104.json', nextWeek.replace('"4.190.144.0/29"', '"4.190.144.1/29"'), /^ServiceTags_Public_20251104\.json:\d+:\d+: error\[TAGS_FILE\]: \$\.values\[\d+\]\.properties\.addressPrefixes\[0\]: "4\.190\.144\.1\/29" in tag MicrosoftContainerRegistry is not a valid prefix/m],
      ['ServiceTags_Public_20251104.json', '{ "changeNumber": "376", "cloud": "Public", "values": [] }', /^ServiceTags_Public_20251104\.json:1:19: error\[TAGS_FILE\]: \$\.changeNumber: missing or not a number/m],
      ['tags.json', nextWeek, /^tags\.json:1:1: error\[TAGS_FILE\]: cannot tell when tags\.json was published: its name carries no date/m],
    ];
    for (const [name, text, expected] of cases) {
      writeFileSync(join(dir, name), text);
      const r = await update('--from', name);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.match(expected);
      expect(installed()).to.deep.equal(['ServiceTags_Public_20251028.json']);
    }
    // --date gives the date a name does not carry.
    const dated = await update('--from', 'tags.json', '--date', '2025-11-04');
    expect(dated.code, dated.stderr).to.equal(0);
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251104.json']);
  });

  it('reports a download that fails, has no link, or takes too long, within the timeout', async function () {
    const missing = await update('--from', `${base}/download/nothing.json`);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain(`error[TAGS_FETCH]: cannot download ${base}/download/nothing.json: HTTP 404`);
    const page = await update('--from', `${base}/no-link.html`);
    expect(page.code).to.equal(2);
    expect(page.stderr).to.contain('is neither a Service Tags JSON file nor a page that links to a ServiceTags_Public_YYYYMMDD.json file');
    const t0 = Date.now();
    const slow = await update('--from', `${base}/hang`, '--timeout', '1');
    expect(slow.code).to.equal(2);
    expect(slow.stderr).to.contain('no complete answer within 1 s');
    expect(Date.now() - t0).to.be.lessThan(5000);
    // A port nothing listens on: taken from the system, then closed.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await update('--from', `http://127.0.0.1:${port}/x.json`, '--timeout', '2');
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain(`error[TAGS_FETCH]: cannot download http://127.0.0.1:${port}/x.json: ECONNREFUSED`);
    expect(installed()).to.deep.equal(['ServiceTags_Public_20251028.json']);
  });

  it('needs a place to install: --out, or defaults.serviceTags in fwgen.yaml', async function () {
    writeFileSync(join(dir, 'fwgen.yaml'), 'outputs:\n  - path: nsg.json\n    target: azure-nsg\n    catalogs: [mcr]\n');
    const r = await update('--from', 'ServiceTags_Public_20251104.json');
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('error[USAGE]: no place to install the Service Tags file: fwgen.yaml sets no defaults.serviceTags');
    const file = await update('--from', 'ServiceTags_Public_20251104.json', '--out', 'pinned/ServiceTags_Public.json');
    expect(file.code, file.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'pinned', 'ServiceTags_Public.json'), 'utf8')).to.equal(nextWeek);
    expect(file.stderr).to.contain('carries no date in its name, so fwgen cannot tell its age');
  });
});
