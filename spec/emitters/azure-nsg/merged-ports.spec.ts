/**
 * Destinations of one requirement with different port lists that share a protocol and port. The core keeps a
 * destination and port asked for twice once, so `nodes` on https:443 in one requirement leaves `nodes` with udp:53
 * only in the next, beside fd00:1::/64 on udp:53 and https:443. Found by the hostile-input suite (seed 16, run 213,
 * shrunk): the NSG got two udp-53 rules to prefixes, both named alpha.x.udp-53 (internal error, exit 3); now one
 * rule holds both prefix lists.
 */
import { expect } from 'chai';
import { compile } from '../../../lib/index.js';
import { checkTemplate } from '../azure-common/arm-check.js';
import { makeTempDir, removeTempDir } from '../../helpers/engines.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const INPUT = `id: alpha
title: t
source: { document: d }
groups:
  nodes: { title: Nodes }
  peers: { title: Peers }
requirements:
  - id: alpha
    sources: [{ group: peers }]
    destinations: [{ group: nodes }]
    ports: [https:443]
    provenance: {}
  - id: x
    sources: [{ group: peers }]
    destinations: [{ group: nodes }, { cidr: "fd00:1::/64" }, api.example.com]
    ports: [https:443, udp:53]
    provenance: {}
`;

describe('azure-nsg: destinations whose merged port lists share a protocol', function () {
  for (const [bind, rules] of [
    ['2001:db8::1/128', ['alpha.alpha Tcp 443 2001:db8::1/128', 'alpha.x.tcp-443 Tcp 443 fd00:1::/64', 'alpha.x.udp-53 Udp 53 2001:db8::1/128,fd00:1::/64']],
    ['2001:db8::1/128,10.9.0.0/16', ['alpha.alpha.ipv4 Tcp 443 10.9.0.0/16', 'alpha.alpha.ipv6 Tcp 443 2001:db8::1/128', 'alpha.x.tcp-443.ipv6 Tcp 443 fd00:1::/64', 'alpha.x.udp-53.ipv4 Udp 53 10.9.0.0/16', 'alpha.x.udp-53.ipv6 Udp 53 2001:db8::1/128,fd00:1::/64']],
  ] as const) {
    it(`--bind nodes=${bind}: one rule a protocol, port and family, each name once, a valid template`, async function () {
      const dir = makeTempDir('fwgen-nsg-merged-');
      try {
        writeFileSync(join(dir, 'input.yaml'), INPUT);
        const r = await compile({ files: [join(dir, 'input.yaml')], target: 'azure-nsg', bind: { nodes: bind } });
        const t = JSON.parse(r.files[0]!.contents) as { resources: { properties: { securityRules: { name: string; properties: Record<string, unknown> }[] } }[] };
        const written = t.resources[0]!.properties.securityRules
          .filter((x) => x.properties.access === 'Allow')
          .map((x) => `${x.name} ${String(x.properties.protocol)} ${String(x.properties.destinationPortRange ?? x.properties.destinationPortRanges)} ${String(x.properties.destinationAddressPrefixes ?? x.properties.destinationAddressPrefix)}`);
        expect(written).to.deep.equal(rules);
        expect(checkTemplate(t)).to.deep.equal([]);
      } finally {
        removeTempDir(dir);
      }
    });
  }
});
