/**
 * An output keeps at most NOTES_BYTES_MAX of fidelity notes in its comments and says how many it left out; the run
 * still reports every one. 2,000 rows of a `*.` name and a prefix give 2,000 notes on the targets that change them.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compile } from '../../lib/index.js';
import { NOTES_BYTES_MAX, capNotes } from '../../lib/emit/text.js';
import { makeTempDir, removeTempDir, requireEngine } from '../helpers/engines.js';

const N = 2000;
// Rows of a wildcard and a prefix: name targets note each wildcard, address targets each row's dropped name.
const policy = ['id: many-notes', 'title: Many notes', 'source: { document: notes.md }', 'requirements:'];
for (let i = 0; i < N; i++) {
  policy.push(`  - id: row-${i}`, `    destinations: ["*.n${i}.example.com", 10.${i >> 8}.${i & 255}.0/24]`, '    ports: [https:443]', `    provenance: { line: ${i + 1} }`);
}
policy.push('');

describe('fidelity notes in an output are capped', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = makeTempDir('fwgen-notes-');
    writeFileSync(join(dir, 'policy.yaml'), policy.join('\n'));
  });
  after(() => removeTempDir(dir));

  it('keeps notes up to the byte budget, then one line counting the rest', () => {
    const notes = Array.from({ length: 10 }, (_, i) => `note ${i} ${'x'.repeat(90)}`);
    const capped = capNotes(notes, { maxBytes: 350 });
    expect(capped).to.have.length(4);
    expect(capped[3]).to.equal('... and 7 more notes, left out here to keep the file small: each is one of the diagnostics fwgen reported');
    expect(capNotes(notes)).to.deep.equal(notes);
  });

  for (const target of ['panos', 'iptables', 'nftables', 'k8s-networkpolicy', 'squid', 'cilium']) {
    it(`${target}: the output holds at most the budget of notes and the count of the others; every note is still a diagnostic`, async () => {
      const r = await compile({ files: [join(dir, 'policy.yaml')], target });
      // A requirement's notes; a target's own note (NetworkPolicy's DNS rule) is written beside what it explains.
      const fidelity = r.diagnostics.filter((d) => d.code.startsWith('FIDELITY_') && d.requirement);
      const text = r.files.map((f) => f.contents).join('\n');
      const more = /\.\.\. and (\d+) more notes, left out here/.exec(text);
      if (fidelity.length * 60 < NOTES_BYTES_MAX) {
        expect(more, 'few notes are all written').to.equal(null);
        return;
      }
      expect(more, `${fidelity.length} notes`).to.not.equal(null);
      // The notes written are those before the line that counts the rest (one scan: an includes() per note over the
      // whole output would take 40 GB of reading).
      const before = text.slice(0, more!.index);
      const seen = new Set([...before.matchAll(/many-notes\/row-\d+: [^\n]*/g)].map((m) => m[0].slice(0, 60)));
      const written = fidelity.filter((d) => seen.has(d.message.slice(0, 60)));
      expect(written.length + Number(more![1])).to.be.at.least(fidelity.length);
      const bytes = written.reduce((n, d) => n + d.message.length, 0);
      expect(bytes, `${written.length} notes written`).to.be.below(NOTES_BYTES_MAX * 1.05);
    });
  }

  it('the capped PAN-OS document is still well-formed XML (xmllint)', async function () {
    requireEngine(this, 'xmllint');
    const r = await compile({ files: [join(dir, 'policy.yaml')], target: 'panos' });
    expect(r.files[0]!.contents).to.contain('more notes, left out here');
    const lint = spawnSync('xmllint', ['--noout', '-'], { input: r.files[0]!.contents, encoding: 'utf8' });
    expect(lint.status, lint.stderr).to.equal(0);
  });
});
