/**
 * Every target says what it does with a partial-label wildcard and a host with a path, at the destination's position:
 * exact where the engine can say it (no diagnostic, the form reaches the output), widened to `*.rest` or to the bare
 * host with FIDELITY_WIDENED (the feature, what it became, a hint), or dropped with FIDELITY_DROPPED on targets that
 * match addresses only. Never silently: for each target and form, the output holds the form or a diagnostic says why.
 */
import { expect } from 'chai';
import { loadRequirementSet } from '../../lib/load/load-text.js';
import { expand } from '../../lib/expand/index.js';
import { getEmitter, listTargets } from '../../lib/emit/registry.js';
import { emitTarget } from '../../lib/emit/run-emitter.js';
import { applyFidelity, resolveFidelity } from '../../lib/emit/fidelity.js';
import type { Emitter } from '../../lib/emit/emitter.js';
import type { Diagnostic } from '../../lib/model/diagnostic.js';
import type { ResolvedRequirementSet } from '../../lib/model/resolved.js';

const TEXT = `id: hf
title: Host forms
source: { document: hf.md }
requirements:
  - id: hubs
    destinations: ["azgn*.servicebus.windows.net"]
    ports: [https:443]
    provenance: { line: 1 }
  - id: pki
    destinations: [www.microsoft.com/pkiops/certs]
    ports: [http:80, https:443]
    provenance: { line: 2 }
`;
const LABEL_AT = { line: 6, col: 20 };
const PATH_AT = { line: 10, col: 20 };

function resolved(): ResolvedRequirementSet {
  const l = loadRequirementSet(TEXT, 'hf.yaml');
  expect(l.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
  const x = expand([l.set!], {});
  expect(x.set, JSON.stringify(x.diagnostics)).to.not.equal(undefined);
  return x.set!;
}

type Expect = { label: 'exact' | 'widen' | 'drop'; pathHttp: 'exact' | 'widen' | 'drop'; pathTls: 'exact' | 'widen' | 'drop' };

/** What each built-in target is declared to do, with its default options (and azure-firewall's tls-inspection). */
const EXPECTED: Record<string, Expect> = {
  squid: { label: 'exact', pathHttp: 'exact', pathTls: 'widen' },
  cilium: { label: 'exact', pathHttp: 'widen', pathTls: 'widen' },
  panos: { label: 'widen', pathHttp: 'widen', pathTls: 'widen' },
  'azure-firewall': { label: 'widen', pathHttp: 'widen', pathTls: 'widen' },
  'azure-firewall tls-inspection=true': { label: 'widen', pathHttp: 'exact', pathTls: 'exact' },
  iptables: { label: 'drop', pathHttp: 'drop', pathTls: 'drop' },
  nftables: { label: 'drop', pathHttp: 'drop', pathTls: 'drop' },
  'k8s-networkpolicy': { label: 'drop', pathHttp: 'drop', pathTls: 'drop' },
  'azure-nsg': { label: 'drop', pathHttp: 'drop', pathTls: 'drop' },
};

const at = (d: Diagnostic) => ({ line: d.span?.line, col: d.span?.col });

describe('host forms: fidelity per target', () => {
  it('covers every built-in target', () => {
    const ids = listTargets().filter((t) => t.origin === 'built-in').map((t) => t.id);
    expect(Object.keys(EXPECTED).map((k) => k.split(' ')[0])).to.include.members(ids);
  });

  for (const [name, want] of Object.entries(EXPECTED)) {
    const [id, setting] = name.split(' ') as [string, string | undefined];
    const options: Record<string, unknown> = setting ? { [setting.split('=')[0]!]: setting.split('=')[1] === 'true' } : {};

    it(`${name}: partial-label wildcard ${want.label}, path on HTTP ${want.pathHttp}, path in HTTPS ${want.pathTls}`, async () => {
      const emitter: Emitter = await getEmitter(id);
      const set = resolved();
      const r = applyFidelity(set, emitter, resolveFidelity(emitter, Object.fromEntries(Object.entries(emitter.options ?? {}).map(([k, o]) => [k, options[k] ?? o.default]))));
      const mine = (feature: string) => r.diagnostics.filter((d) => d.params.feature === feature);
      const hubs = r.set.requirements.find((q) => q.id === 'hf/hubs');
      const pki = r.set.requirements.find((q) => q.id === 'hf/pki');

      const label = mine('host-label-wildcard');
      if (want.label === 'exact') {
        expect(label).to.deep.equal([]);
        expect(hubs!.destinations.map((d) => d.endpoint)).to.deep.equal([{ kind: 'host', name: 'servicebus.windows.net', match: 'label-wildcard', label: 'azgn*' }]);
      } else if (want.label === 'widen') {
        expect(label.map((d) => [d.code, d.severity, at(d), d.target])).to.deep.equal([['FIDELITY_WIDENED', 'warning', LABEL_AT, id]]);
        expect(label[0]!.message).to.include('azgn*.servicebus.windows.net (to *.servicebus.windows.net) widened');
        expect(label[0]!.hint).to.be.a('string').and.not.equal('');
        expect(hubs!.destinations.map((d) => d.endpoint)).to.deep.equal([{ kind: 'host', name: 'servicebus.windows.net', match: 'subdomains' }]);
      } else {
        expect(label.map((d) => [d.code, at(d)])).to.deep.equal([['FIDELITY_DROPPED', LABEL_AT]]);
        expect(hubs).to.equal(undefined);
      }

      const http = mine('host-path-http');
      const tls = mine('host-path-tls');
      const pkiPorts = (path: boolean) =>
        (pki?.destinations ?? []).filter((d) => d.endpoint.kind === 'host' && (d.endpoint.path !== undefined) === path).flatMap((d) => d.ports.map((p) => p.from));
      if (want.pathHttp === 'drop') {
        // The name is dropped as a whole: one diagnostic, under the name's own feature.
        expect(http).to.deep.equal([]);
        expect(tls).to.deep.equal([]);
        expect(r.diagnostics.filter((d) => d.requirement === 'hf/pki').map((d) => [d.code, at(d), d.params.feature])).to.deep.equal([['FIDELITY_DROPPED', PATH_AT, 'host-exact']]);
        expect(pki).to.equal(undefined);
        return;
      }
      for (const [list, level, port] of [[http, want.pathHttp, 80], [tls, want.pathTls, 443]] as const) {
        if (level === 'exact') {
          expect(list).to.deep.equal([]);
          expect(pkiPorts(true)).to.include(port);
        } else {
          expect(list.map((d) => [d.code, at(d), d.target])).to.deep.equal([['FIDELITY_WIDENED', PATH_AT, id]]);
          expect(list[0]!.message).to.include(`www.microsoft.com/pkiops/certs on ${port === 80 ? 'http:80' : 'https:443'} (to www.microsoft.com) widened`);
          expect(list[0]!.hint).to.be.a('string').and.not.equal('');
          expect(pkiPorts(false)).to.include(port);
          expect(pkiPorts(true)).to.not.include(port);
        }
      }
      // The emitter accepts what the core left (no internal error) and raises nothing more for these forms.
      const out = emitTarget(set, emitter, options);
      expect(out.diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
      expect(out.files.length).to.be.greaterThan(0);
    });
  }

  it('a plugin that declares none of the new features gets them widened, said once each', async () => {
    const squid = await getEmitter('squid');
    const table = { ...resolveFidelity(squid, { subdomains: 'exact' }) } as Record<string, unknown>;
    delete table['host-label-wildcard'];
    delete table['host-path-http'];
    delete table['host-path-tls'];
    const plugin: Emitter = { ...squid, id: 'old-plugin', fidelity: table as never };
    const r = applyFidelity(resolved(), plugin, resolveFidelity(plugin, {}));
    expect(r.diagnostics.map((d) => [d.code, d.params.feature, at(d)])).to.deep.equal([
      ['FIDELITY_WIDENED', 'host-label-wildcard', LABEL_AT],
      ['FIDELITY_WIDENED', 'host-path-http', PATH_AT],
      ['FIDELITY_WIDENED', 'host-path-tls', PATH_AT],
    ]);
    for (const q of r.set.requirements) for (const d of q.destinations) expect(d.endpoint).to.not.have.any.keys('label', 'path');
  });

  it('destinations that widening makes equal become one, with their ports joined', async () => {
    const text = `id: m
title: M
source: { document: m.md }
requirements:
  - id: two
    destinations: ["a*.example.com", "*b.example.com", www.example.com/x, www.example.com/y]
    ports: [https:443]
    provenance: { line: 1 }
`;
    const set = expand([loadRequirementSet(text, 'm.yaml').set!], {}).set!;
    const panos = await getEmitter('panos');
    const r = applyFidelity(set, panos, resolveFidelity(panos, {}));
    expect(r.set.requirements[0]!.destinations.map((d) => [d.endpoint, d.ports.map((p) => p.from)])).to.deep.equal([
      [{ kind: 'host', name: 'example.com', match: 'subdomains' }, [443]],
      [{ kind: 'host', name: 'www.example.com', match: 'exact' }, [443]],
    ]);
  });
});
