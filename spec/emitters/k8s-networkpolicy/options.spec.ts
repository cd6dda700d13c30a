/** The target's options: namespace, pod-selector, name-prefix, allow-dns, dns-namespace, dns-selector. */
import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emitTarget, expand, getEmitter, loadRequirementFile, type ResolvedRequirementSet } from 'fwgen';
import { parseSelector } from '../../../lib/emitters/k8s-networkpolicy/names.js';
import { checkStream } from './check.js';
import { allowedBy } from './semantics.js';

const INPUTS = join(dirname(fileURLToPath(import.meta.url)), 'inputs');

let set: ResolvedRequirementSet;

async function emitWith(options: Record<string, unknown>) {
  return emitTarget(set, await getEmitter('k8s-networkpolicy'), options);
}

describe('k8s-networkpolicy: options', function () {
  before(async function () {
    const loaded = await loadRequirementFile(join(INPUTS, 'benign.yaml'));
    set = expand([loaded.set!], { bind: { g: '10.0.0.0/8' } }).set!;
  });

  it('defaults: namespace default, every pod, fwgen- names, DNS to kube-dns in kube-system', async function () {
    const r = await emitWith({});
    const docs = checkStream(r.files[0]!.contents);
    expect(docs.map((d) => [d.metadata.name, d.metadata.namespace, d.spec.policyTypes])).to.deep.equal([
      ['fwgen-inject-egress', 'default', ['Egress']],
      ['fwgen-inject-ingress', 'default', ['Ingress']],
    ]);
    expect(docs[0]!.spec.podSelector).to.deep.equal({});
    expect(docs[0]!.spec.egress[0]).to.deep.equal({
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    });
    expect(docs[1]!.spec.ingress.some((r: { from?: unknown[] }) => r.from?.some((p) => (p as { namespaceSelector?: unknown }).namespaceSelector))).to.equal(false);
    expect(r.diagnostics.filter((d) => d.severity === 'note').map((d) => d.code)).to.deep.equal(['FIDELITY_WIDENED']);
  });

  it('takes namespace, pod-selector and name-prefix', async function () {
    const r = await emitWith({ namespace: 'team-a', 'pod-selector': 'app=web, example.com/tier=on,empty=', 'name-prefix': 'vendor.' });
    const docs = checkStream(r.files[0]!.contents);
    expect(docs.map((d) => d.metadata.name)).to.deep.equal(['vendor.inject-egress', 'vendor.inject-ingress']);
    expect(docs[0]!.metadata.namespace).to.equal('team-a');
    expect(docs[0]!.spec.podSelector).to.deep.equal({ matchLabels: { app: 'web', 'example.com/tier': 'on', empty: '' } });
    expect(r.files[0]!.contents).to.contain('example.com/tier: "on"');
  });

  it('allow-dns=false: no DNS rule, and the output says name resolution will break', async function () {
    const r = await emitWith({ 'allow-dns': false });
    const text = r.files[0]!.contents;
    const docs = checkStream(text);
    expect(allowedBy(docs).dnsRules).to.deep.equal([]);
    expect(text).to.match(/^# DNS IS NOT ALLOWED \(--set allow-dns=false\): name resolution in the selected pods will break$/m);
    expect(text).to.match(/^# fwgen-inject-egress: .*\n# DNS is not allowed here/m);
    expect(r.diagnostics.filter((d) => d.severity === 'note')).to.deep.equal([]);
  });

  it('dns-namespace and dns-selector; an empty dns-selector means every pod of that namespace', async function () {
    const custom = checkStream((await emitWith({ 'dns-namespace': 'dns', 'dns-selector': 'app=coredns,tier=dns' })).files[0]!.contents);
    expect(custom[0]!.spec.egress[0].to).to.deep.equal([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns', tier: 'dns' } } }]);
    const all = checkStream((await emitWith({ 'dns-selector': '' })).files[0]!.contents);
    expect(all[0]!.spec.egress[0].to).to.deep.equal([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }]);
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['a namespace with capitals', { namespace: 'Team' }, /--set namespace/],
    ['a namespace of 64 characters', { namespace: 'a'.repeat(64) }, /--set namespace/],
    ['a namespace with a newline', { namespace: 'a\nb' }, /--set namespace/],
    ['a selector pair without =', { 'pod-selector': 'app' }, /not key=value/],
    ['a label value with a space', { 'pod-selector': 'app=a b' }, /label value/],
    ['a label value of 64 characters', { 'pod-selector': `app=${'v'.repeat(64)}` }, /label value/],
    ['a label key starting with -', { 'pod-selector': '-app=x' }, /label key/],
    ['a label key with two slashes', { 'pod-selector': 'a/b/c=x' }, /label key/],
    ['a label key prefix in capitals', { 'pod-selector': 'Example.com/app=x' }, /prefix/],
    ['a label key given twice', { 'pod-selector': 'app=a,app=b' }, /twice/],
    ['a bad dns-selector', { 'dns-selector': 'k8s-app=kube dns' }, /--set dns-selector/],
    ['a bad dns-namespace', { 'dns-namespace': 'kube_system' }, /--set dns-namespace/],
    ['a name prefix with capitals', { 'name-prefix': 'Fw-' }, /--set name-prefix/],
    ['a name prefix that starts the name with -', { 'name-prefix': '-x' }, /DNS-1123 subdomain/],
    ['a name prefix that ends a label with .-', { 'name-prefix': 'a.-' }, /DNS-1123 subdomain/],
    ['an unknown option', { nameprefix: 'x' }, /no option of that name/],
  ];
  for (const [what, options, message] of bad) {
    it(`refuses ${what}, writing nothing`, async function () {
      const r = await emitWith(options);
      expect(r.files).to.deep.equal([]);
      const errors = r.diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => d.code)).to.include('EMIT_OPTION');
      expect(errors.map((d) => d.message).join('\n')).to.match(message);
    });
  }

  it('parseSelector follows the Kubernetes label rules', function () {
    expect(parseSelector('').labels).to.deep.equal({});
    expect(parseSelector('a.b_c-D=1.2_3-x').labels).to.deep.equal({ 'a.b_c-D': '1.2_3-x' });
    expect(parseSelector(`${'p'.repeat(253)}/${'n'.repeat(63)}=${'v'.repeat(63)}`).problems).to.deep.equal([]);
    expect(parseSelector(`${'p'.repeat(254)}/n=v`).problems).to.have.length(1);
    expect(parseSelector(`${'n'.repeat(64)}=v`).problems).to.have.length(1);
    expect(parseSelector('a=b_').problems).to.have.length(1);
  });
});
