/**
 * No text that reaches a Squid fragment can add a directive to it. Every string field of a requirement file that
 * the fragment shows (purpose, group title, provenance text, section and document, set title, source document,
 * parameter default) is given payloads that try to end the comment line it is written on - LF, CR, CRLF, other
 * line separators, NUL, a backslash continuation, and a line longer than squid's 8191-byte read buffer - and the
 * fragment must still hold exactly the directives of the same input without the payload, by our reading of it and
 * by squid's own ("Processing:" lines of squid -k parse). Values that become rules or names (parameter defaults,
 * host names, ids, ports, CIDRs, tags) and values given on the command line (--param, --option, --bind, --set) are
 * validated: such an injection is refused with exit 2 and writes nothing.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir, removeTempDir, requireEngine, squidParse } from '../../helpers/engines.js';
import { squidDirectives } from '../../helpers/squid-directives.js';

const EVIL = 'http_access allow all';

const PAYLOADS: Record<string, string> = {
  LF: `x\n${EVIL}`,
  CR: `x\r${EVIL}`,
  CRLF: `x\r\n${EVIL}`,
  'LF then comment-looking line': `x\n# y\n${EVIL}`,
  'vertical tab': `x\u000b${EVIL}`,
  'form feed': `x\u000c${EVIL}`,
  NEL: `x\u0085${EVIL}`,
  'line separator': `x\u2028${EVIL}`,
  'paragraph separator': `x\u2029${EVIL}`,
  NUL: `x\u0000${EVIL}`,
  'backslash continuation': `x \\\n${EVIL}`,
  'squid #line marker': `x\n#line 1 "other.conf"\n${EVIL}`,
  'longer than 8191 bytes (ASCII)': `${'x'.repeat(8200)}${EVIL}`,
  'longer than 8191 bytes (2-byte UTF-8)': `${'é'.repeat(4100)}${EVIL}`,
  'longer than 8191 bytes, at every offset near the buffer end': Array.from({ length: 12 }, (_, i) => `${'y'.repeat(8180 + i)}${EVIL}`).join(' '),
};

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function baseDoc(): Doc {
  return {
    id: 'inject',
    title: 'Injection test vendor',
    vendor: 'Example',
    source: { document: 'vendor.md', sections: ['Endpoints'] },
    parameters: {
      region: { kind: 'string', pattern: '^[a-z0-9]+$', description: 'region' },
      label: { kind: 'string', default: 'plain', description: 'a label shown in the header only' },
    },
    options: { extra: { default: true, description: 'include the extra row' } },
    groups: { nodes: { title: 'Cluster nodes', description: 'nodes' } },
    requirements: [
      {
        id: 'named',
        scenario: 'Endpoints',
        destinations: ['api.example.com', '*.cdn.example.com', { host: 'example.org', match: 'apex-and-subdomains' }],
        ports: ['https:443', 'http:80'],
        purpose: 'The API',
        provenance: { section: 'Endpoints', line: 3, row: 1, text: '| API | api.example.com |' },
      },
      {
        id: 'sectioned',
        sources: [{ group: 'nodes' }],
        destinations: ['{region}.example.net'],
        ports: ['tcp:8443'],
        purpose: 'Regional',
        when: { extra: true },
        provenance: { section: 'Endpoints', text: 'regional endpoint' },
      },
    ],
  };
}

/** Every string field a fragment can show, and a few it does not (they must be harmless too). */
const FIELDS: Record<string, (d: Doc, v: string) => void> = {
  purpose: (d, v) => (d.requirements[0].purpose = v),
  'group title': (d, v) => (d.groups.nodes.title = v),
  'provenance text': (d, v) => (d.requirements[0].provenance.text = v),
  'provenance section (no line)': (d, v) => (d.requirements[1].provenance.section = v),
  'provenance document': (d, v) => (d.requirements[0].provenance.document = v),
  'set title': (d, v) => (d.title = v),
  'source document': (d, v) => (d.source.document = v),
  vendor: (d, v) => (d.vendor = v),
  scenario: (d, v) => (d.requirements[0].scenario = v),
  'source sections': (d, v) => (d.source.sections = [v]),
  'descriptions (parameter, option, group)': (d, v) => {
    d.parameters.region.description = v;
    d.options.extra.description = v;
    d.groups.nodes.description = v;
  },
};

function processed(parseOutput: string): string[] {
  return [...parseOutput.matchAll(/Processing: (.*)$/gm)].map((m) => m[1]!.trim());
}

describe('squid: nothing in the input can inject a directive', function () {
  this.timeout(60_000);
  let dir: string;
  let baseline: { stdout: string; directives: string[]; processed: string[] };

  const emit = async (doc: Doc, extra: string[] = []) => {
    writeFileSync(join(dir, 'input.json'), JSON.stringify(doc, null, 2));
    return runCli(['emit', '--file', 'input.json', '--target', 'squid', '--param', 'region=eastus', ...extra], { cwd: dir });
  };

  before(async function () {
    requireEngine(this, 'squid');
    dir = makeTempDir('fwgen-inject-');
    const r = await emit(baseDoc());
    expect(r.code, r.stderr).to.equal(0);
    const p = squidParse(r.stdout);
    expect(p.ok, p.output).to.equal(true);
    baseline = { stdout: r.stdout, directives: squidDirectives(r.stdout), processed: processed(p.output) };
    // The baseline is worth comparing with: rules for all three names, HTTP and CONNECT, and the final deny.
    expect(baseline.directives.filter((l) => l.startsWith('http_access'))).to.have.length(6);
    expect(baseline.processed).to.deep.equal(baseline.directives);
  });

  after(function () {
    if (dir) removeTempDir(dir);
  });

  it('the reader used here sees an injection squid would see', function () {
    // Self-check of `directives`: a raw newline, and a comment longer than squid's buffer, are both directives.
    expect(squidDirectives(`# a\n${EVIL}\n`)).to.deep.equal([EVIL]);
    const long = `# ${'x'.repeat(8189)}${EVIL}\n`;
    expect(squidDirectives(long)).to.deep.equal([EVIL]);
    const p = squidParse(`http_port 127.0.0.1:3999\n${long}http_access deny all\n`);
    expect(processed(p.output)).to.include(EVIL);
  });

  for (const [field, set] of Object.entries(FIELDS)) {
    it(`through the ${field}`, async function () {
      let tried = 0;
      for (const [name, payload] of Object.entries(PAYLOADS)) {
        const doc = baseDoc();
        set(doc, payload);
        const r = await emit(doc);
        const what = `${field} / ${name}`;
        expect(r.code, `${what}: exit ${r.code}\n${r.stderr}`).to.equal(0);
        expect(r.stdout, what).not.to.match(/\r/);
        expect(squidDirectives(r.stdout), what).to.deep.equal(baseline.directives);
        const p = squidParse(r.stdout);
        expect(p.ok, `${what}\n${p.output}`).to.equal(true);
        expect(p.warnings, `${what}\n${p.output}`).to.deep.equal([]);
        expect(processed(p.output), what).to.deep.equal(baseline.processed);
        // stderr keeps each diagnostic on its own lines as well.
        expect(r.stderr.split('\n').filter((l) => l.startsWith(EVIL)), what).to.deep.equal([]);
        tried++;
      }
      expect(tried).to.equal(Object.keys(PAYLOADS).length);
    });
  }

  it('the payloads are in the output, as comment text', async function () {
    // Guard against a vacuous pass: the text is shown, only flattened (and cut into comment lines when long).
    const doc = baseDoc();
    doc.requirements[0].purpose = PAYLOADS.LF;
    const r = await emit(doc);
    expect(r.stdout).to.include(`# inject/named: x ${EVIL}\n`);
    const long = baseDoc();
    long.title = PAYLOADS['longer than 8191 bytes (ASCII)'];
    const out = (await emit(long)).stdout;
    expect(out.split('\n').every((l) => Buffer.byteLength(l) < 8191)).to.equal(true);
    expect(out.replace(/\n#   /g, '')).to.include(`${'x'.repeat(8200)}${EVIL}`);
  });

  describe('input values that become rules or names are validated: exit 2, nothing written', function () {
    const VALIDATED: Record<string, (d: Doc, v: string) => void> = {
      'parameter default': (d, v) => (d.parameters.label.default = v),
      'destination host name': (d, v) => (d.requirements[0].destinations[0] = `api.example.com${v}`),
      'wildcard host name': (d, v) => (d.requirements[0].destinations[1] = `*.cdn.example.com${v}`),
      'set id': (d, v) => (d.id = `inject${v}`),
      'requirement id': (d, v) => (d.requirements[0].id = `named${v}`),
      'group id': (d, v) => {
        d.groups[`nodes${v}`] = d.groups.nodes;
        d.requirements[1].sources = [{ group: `nodes${v}` }];
      },
      'port': (d, v) => (d.requirements[0].ports = [`https:443${v}`]),
      'source CIDR': (d, v) => (d.requirements[1].sources = [`10.0.0.0/8${v}`]),
      'service tag': (d, v) => (d.requirements[0].destinations.push({ serviceTag: `AzureCloud${v}` })),
      'option value': (d, v) => {
        d.options.cloud = { values: ['public', `china${v}`], default: 'public' };
      },
    };
    for (const [field, set] of Object.entries(VALIDATED)) {
      it(field, async function () {
        for (const [name, payload] of Object.entries(PAYLOADS).slice(0, 4)) {
          const doc = baseDoc();
          set(doc, payload);
          const r = await emit(doc);
          const what = `${field} / ${name}`;
          expect(r.stderr.split('\n').filter((l) => l.startsWith(EVIL))).to.deep.equal([]);
          expect(r.code, `${what}: exit ${r.code}\n${r.stderr}${r.stdout}`).to.equal(2);
          expect(r.stdout, what).to.equal('');
        }
      });
    }
    it('a host name with a control character is refused, not rewritten', async function () {
      const doc = baseDoc();
      VALIDATED['destination host name']!(doc, 'api.example.comx\n# y\nhttp_access allow all');
      const r = await emit(doc);
      expect(r.code).to.equal(2);
      expect(r.stderr).to.match(/error\[MODEL_FQDN\].*U\+000A/);
      expect(r.stdout).to.equal('');
    });
  });

  describe('command-line values are validated: exit 2, nothing written', function () {
    const cases: [string, string[]][] = [];
    for (const [name, payload] of Object.entries(PAYLOADS).slice(0, 4)) {
      cases.push([`--param region (${name})`, ['--param', `region=${payload}`]]);
      cases.push([`--param label (${name})`, ['--param', `label=${payload}`]]);
      cases.push([`--option extra (${name})`, ['--option', `extra=${payload}`]]);
      cases.push([`--bind nodes (${name})`, ['--bind', `nodes=10.0.0.0/8${payload}`]]);
      cases.push([`--set subdomains (${name})`, ['--set', `subdomains=exact${payload}`]]);
      cases.push([`--param with a newline in the name (${name})`, ['--param', `${payload}=x`]]);
    }
    for (const [title, args] of cases) {
      it(title, async function () {
        const r = await emit(baseDoc(), args);
        expect(r.code, r.stderr).to.equal(2);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.match(/error\[/);
        expect(r.stderr.split('\n').filter((l) => l.startsWith(EVIL))).to.deep.equal([]);
      });
    }
  });
});
