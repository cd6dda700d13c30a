/**
 * The checked-in outputs of examples/all-targets go through the same engines and schemas as the golden files:
 * what a user copies from the examples is what the engines accept.
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nftCheck, requireEngine, squidParse, xmllintCheck } from '../helpers/engines.js';
import { loadOutputs } from '../emitters/iptables/load.js';
import { checkStream } from '../emitters/k8s-networkpolicy/check.js';
import { parsePolicy, validatePolicy } from '../emitters/cilium/check.js';
import { checkTemplate } from '../emitters/azure-common/arm-check.js';

const out = fileURLToPath(new URL('../../examples/all-targets/out/', import.meta.url));
const catalogs = readdirSync(out).filter((d) => statSync(join(out, d)).isDirectory()).sort();
const file = (c: string, f: string) => join(out, c, f);

describe('examples/all-targets outputs pass their engines', function () {
  this.timeout(120_000);

  it('cover the four catalogs', () => expect(catalogs).to.deep.equal(['acr', 'azure-arc-ml', 'mcr', 'runai']));

  for (const c of catalogs) {
    describe(c, function () {
      it('squid -k parse', function () {
        requireEngine(this, 'squid');
        const r = squidParse(readFileSync(file(c, 'squid.conf'), 'utf8'), { strict: true });
        expect(r.ok, r.output).to.equal(true);
      });

      // azure-arc-ml names hosts only, so it has no output for the address-only targets (see fwgen.yaml).
      if (existsSync(file(c, 'iptables'))) {
        it('ipset restore, then iptables-restore and ip6tables-restore (--test and a real load) in one namespace', function () {
          requireEngine(this, 'iptables-restore');
          const dir = file(c, 'iptables');
          const files = readdirSync(dir).sort().map((path) => ({ path, contents: readFileSync(join(dir, path), 'utf8') }));
          const r = loadOutputs(files);
          expect(r.ok, `${r.failedAt}: ${r.output}`).to.equal(true);
        });
      }

      if (existsSync(file(c, 'nftables.nft'))) {
        it('nft -c', function () {
          requireEngine(this, 'nft');
          const r = nftCheck(readFileSync(file(c, 'nftables.nft'), 'utf8'));
          expect(r.ok, r.output).to.equal(true);
        });
      }

      it('xmllint --noout (PAN-OS)', function () {
        requireEngine(this, 'xmllint');
        const r = xmllintCheck(readFileSync(file(c, 'panos.xml'), 'utf8'));
        expect(r.ok, r.output).to.equal(true);
      });

      it('NetworkPolicy and Cilium schemas', function () {
        if (existsSync(file(c, 'k8s-networkpolicy.yaml'))) checkStream(readFileSync(file(c, 'k8s-networkpolicy.yaml'), 'utf8'));
        const policy = parsePolicy(readFileSync(file(c, 'cilium.yaml'), 'utf8'));
        expect(policy).not.to.equal(undefined);
        expect(validatePolicy(policy!)).to.deep.equal([]);
      });

      it('ARM schemas (Azure Firewall, NSG)', function () {
        for (const name of ['azure-firewall.json', 'azure-nsg.json']) {
          if (!existsSync(file(c, name))) continue;
          expect(checkTemplate(JSON.parse(readFileSync(file(c, name), 'utf8'))), name).to.deep.equal([]);
        }
      });
    });
  }
});
