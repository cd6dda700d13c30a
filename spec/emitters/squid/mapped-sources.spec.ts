/**
 * IPv4-mapped IPv6 sources: squid reads ::ffff:a.b.c.d/96+n as the IPv4 prefix a.b.c.d/n, so the fragment writes
 * them so, and the overlap rule of the src acl applies to them with the other IPv4 prefixes. Found by the
 * hostile-input suite (seed 16, run 4347): with --bind nodes=::ffff:0:0/96 beside a source 192.0.2.0/24, squid
 * warned "'192.0.2.0/24' is a subnetwork of (A) '0.0.0.0/0' ... '0.0.0.0/0' is ignored", narrowing the rule to
 * 192.0.2.0/24.
 */
import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../helpers/cli.js';
import { makeTempDir, removeTempDir, requireEngine, squidParse } from '../../helpers/engines.js';

const INPUT = `id: alpha
title: t
source: { document: d }
groups:
  nodes: { title: Nodes }
requirements:
  - id: alpha
    sources: [{ group: nodes }, 192.0.2.0/24]
    destinations: [api.example.com]
    ports: [https:443]
    provenance: {}
`;

describe('squid: IPv4-mapped IPv6 sources', function () {
  for (const [bind, values] of [
    ['::ffff:0:0/96', ['0.0.0.0/1', '128.0.0.0/1']],
    ['::ffff:10.0.0.0/104', ['192.0.2.0/24', '10.0.0.0/8']],
    ['::ffff:192.0.2.128/121', ['192.0.2.0/24']],
  ] as const) {
    it(`--bind nodes=${bind}: src ${values.join(' ')}, and squid reads it without a warning`, async function () {
      const dir = makeTempDir('fwgen-squid-mapped-');
      try {
        writeFileSync(join(dir, 'input.yaml'), INPUT);
        const r = await runCli(['emit', '--file', 'input.yaml', '--target', 'squid', '--bind', `nodes=${bind}`], { cwd: dir });
        expect(r.code, r.stderr).to.equal(0);
        const src = r.stdout.split('\n').filter((l) => l.startsWith('acl fwgen_alpha_alpha_src src ')).map((l) => l.split(' ').pop());
        expect(src).to.deep.equal(values);
        requireEngine(this, 'squid');
        const p = squidParse(r.stdout, { strict: true });
        expect(p.ok, p.output).to.equal(true);
      } finally {
        removeTempDir(dir);
      }
    });
  }
});
