/**
 * One endpoint group bound to more addresses than a JavaScript call takes as arguments (V8 refuses about 120k
 * spread elements): every target must either write its output or refuse with a diagnostic, never throw
 * RangeError from spreading the list into a push.
 */
import { expect } from 'chai';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile, FwgenError, listTargets } from '../../lib/index.js';

const COUNT = 150_000;

/** 150,000 distinct /32s, two apart so no two of them merge into a shorter prefix. */
function spacedHosts(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = 0x0b000000 + i * 2;
    out.push(`${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/32`);
  }
  return out;
}

const policy = `id: big-group
title: One group of many addresses
source: { document: big-group.md }
groups:
  peers: { title: Peers }
requirements:
  - id: to-peers
    destinations: [{ group: peers }]
    ports: [https:443]
    purpose: The peers
    provenance: { line: 1, text: peers on 443 }
  - id: from-peers
    direction: inbound
    sources: [{ group: peers }]
    destinations: [10.0.0.1/32]
    ports: [tcp:8443]
    purpose: Calls back from the peers
    provenance: { line: 2, text: peers call back on 8443 }
`;

describe('a group bound to 150,000 addresses', function () {
  this.timeout(120_000);
  let dir: string;
  const hosts = spacedHosts(COUNT);
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fwgen-big-group-'));
    writeFileSync(join(dir, 'policy.yaml'), policy);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of ['squid', 'iptables', 'nftables', 'k8s-networkpolicy', 'cilium', 'azure-firewall', 'azure-nsg', 'panos']) {
    it(`${target}: writes its output or refuses with a diagnostic`, async () => {
      expect(listTargets().map((t) => t.id)).to.include(target);
      try {
        const result = await compile({ files: [join(dir, 'policy.yaml')], target, bind: { peers: hosts } });
        expect(result.files.length, 'files written').to.be.greaterThan(0);
      } catch (e) {
        // A refusal is a FwgenError carrying diagnostics; anything else is a crash.
        if (!(e instanceof FwgenError)) expect.fail(`${target} threw ${(e as Error).name}: ${(e as Error).message}`);
        expect(e.diagnostics.some((d) => d.severity === 'error')).to.equal(true);
      }
    });
  }
});
