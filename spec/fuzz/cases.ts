/**
 * Generated hostile inputs: a requirement file (as YAML or JSON text) with `--param`, `--bind` and `--set` values,
 * where every field that can reach an output draws from a pool that mixes values fwgen must accept with values built
 * to break one of the eight formats. Free text (titles, purposes, provenance, descriptions) is hostile in every
 * case, since it is always accepted; values that become names, addresses or rules are hostile in a minority of
 * cases, so that most cases still get through to the engines.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

/** Strings that end a line, a quote, a block, a document or an element in one of the formats written. */
const BREAKERS = [
  '\n',
  '\r',
  '\r\n',
  '\u0000',
  '\u000b',
  '\u000c',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u001b[2J',
  '\u202e',
  '\u2066',
  '\u200b',
  '\ufeff',
  '"',
  "'",
  '`',
  '\\',
  '\\\n',
  ';',
  '#',
  '{',
  '}',
  '$(id)',
  '`id`',
  '${var.x}',
  '%{ if true }',
  '<<EOF\n',
  '\nEOF\n',
  '\nhttp_access allow all\n',
  '\n-A OUTPUT -j ACCEPT\n',
  '\nCOMMIT\n',
  'accept; }',
  '\n}\ntable inet x { chain y { type filter hook output priority 0; policy accept; } }\n',
  '<entry name="x">',
  '</entry>',
  ']]>',
  '<![CDATA[',
  '-->',
  '&amp;',
  '&#0;',
  '\n---\n',
  '\n...\n',
  '\n- a\n',
  ': ',
  ' #',
  '&a',
  '*a',
  '!!js/function',
  '"},{"x":"',
  '\\u0000',
  '[concat(1)]',
  "[resourceId('x')]",
  '0.0.0.0/0',
  '-j ACCEPT',
  '%s%n',
];

/** Names and spoofed names: IDN, confusables, and labels at and past the limits. */
const ODD_NAMES = [
  'bücher.example',
  'xn--bcher-kva.example',
  'аpple.com', // Cyrillic а
  'exa\u200bmple.com',
  'ＥＸＡＭＰＬＥ.com',
  'ex\u0430mple.org',
  `${'a'.repeat(63)}.example.com`,
  `${'a'.repeat(64)}.example.com`,
  `${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.example`,
  'UPPER.Example.COM',
  'trailing.dot.example.com.',
  '*.*.example.com',
  'a*.example.com',
  '*',
  '*.com',
  '*.co.uk',
  'localhost',
  '-lead.example.com',
  'under_score.example.com',
  '192.0.2.1',
  '[2001:db8::1]',
  'api.example.com:443',
  'api.example.com/path',
  '{region}.example.net',
  '{nope}.example.net',
];

const GOOD_NAMES = ['api.example.com', 'cdn.example.net', 'updates.example.org', 'login.example.io', 'a.b.c.example.com', 'x1.example.dev'];

const GOOD_CIDRS = ['192.0.2.0/24', '198.51.100.7/32', '203.0.113.64/26', '10.0.0.0/8', '2001:db8:10::/48', 'fd00:1::/64', '2001:db8::1/128', '100.64.0.0/10'];
const ODD_CIDRS = [
  '192.0.2.1/24',
  '10.0.0.0/33',
  '0.0.0.0/0',
  '::/0',
  '::ffff:192.0.2.1/128',
  '::ffff:192.0.2.0/120',
  '::ffff:0:0/96',
  '2001:db8::1/48',
  '256.0.0.0/8',
  '1.2.3/24',
  '010.0.0.1/32',
  '192.0.2.0/-1',
  '192.0.2.0/',
  '192.0.2.0/24 ',
  ' 192.0.2.0/24',
  '192.0.2.0/24,10.0.0.0/8',
  'fe80::1%eth0/128',
  '2001:db8::/129',
  '1.1.1.1',
  '::1',
  '0.0.0.0/1',
  '128.0.0.0/1',
];

const GOOD_PORTS = ['https:443', 'http:80', 'ssh:22', 'tcp:8443', 'udp:53', 'tcp:8000-8100', 'udp:4500', 'tcp:1-65535'];
const ODD_PORTS = ['tcp:0', 'tcp:65536', 'udp:65535', 'tcp:0-80', 'tcp:100-10', 'tcp:*', 'any', 'tcp:1-2-3', 'tcp:-1', 'tcp:08', 'sctp:9', 'https', 'tcp:443 ', 'tcp:99999999999999999999'];

const TAGS = [
  { serviceTag: 'ActionGroup', region: 'austriaeast' },
  { serviceTag: 'WindowsVirtualDesktop' },
  { serviceTag: 'ActionGroup', region: 'belgiumcentral' },
];
const ODD_TAGS: object[] = [
  { serviceTag: 'NoSuchTag' },
  { serviceTag: 'ActionGroup', region: 'nowhere' },
  { serviceTag: 'ActionGroup', region: 'austria east' },
  { serviceTag: 'ActionGroup', region: 'austriaeast\n' },
  { serviceTag: 'ActionGroup.AustriaEast' },
  { serviceTag: 'Action;Group' },
  { serviceTag: 'ActionGroup', region: '{region}' },
];

const GOOD_IDS = ['alpha', 'b-2', 'req-three', 'x', 'api', 'a1-b2-c3'];
const ODD_IDS = ['Upper', 'with space', 'semi;colon', 'a\nb', '-lead', `${'l'.repeat(64)}`, `${'l'.repeat(65)}`, 'ünï', 'dot.ted', 'a_b', ''];

/** Unicode text of every plane, control characters included. */
const anyText = fc.string({ unit: 'binary', maxLength: 24 });

/** Free text: a mix of breakers, random code points, long runs and format syntax. */
export const hostileText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 50, arbitrary: fc.constantFrom(...BREAKERS) },
      { weight: 20, arbitrary: anyText },
      { weight: 20, arbitrary: fc.constantFrom(...ODD_NAMES, ...ODD_CIDRS) },
      // Rare, since one case has some 25 free-text fields and a long one in each would make every case slow.
      { weight: 2, arbitrary: fc.constantFrom('x'.repeat(300), 'é'.repeat(4100), 'y'.repeat(8190)) },
      { weight: 20, arbitrary: fc.string({ maxLength: 8 }) },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/**
 * A value that is valid in a clean case; in a hostile case hostile now and then (each case has many such fields,
 * and one bad value rejects the whole case).
 */
const pick = <T>(hostile: boolean, good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>, badWeight = 1): fc.Arbitrary<T> =>
  hostile ? fc.oneof({ weight: 12, arbitrary: good }, { weight: badWeight, arbitrary: bad }) : good;

function pools(h: boolean) {

  const idArb = pick(h, fc.constantFrom(...GOOD_IDS), fc.oneof(fc.constantFrom(...ODD_IDS), hostileText));
  const hostArb = pick(h, fc.constantFrom(...GOOD_NAMES), fc.oneof(fc.constantFrom(...ODD_NAMES), hostileText), 2);
  const cidrArb = pick(h, fc.constantFrom(...GOOD_CIDRS), fc.oneof(fc.constantFrom(...ODD_CIDRS), hostileText), 2);
  const portArb = pick(h, fc.constantFrom(...GOOD_PORTS), fc.oneof(fc.constantFrom(...ODD_PORTS), hostileText), 2);

  const endpointArb: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: hostArb },
  { weight: 2, arbitrary: hostArb.map((h) => `*.${h}`) },
  { weight: 1, arbitrary: fc.record({ host: hostArb, match: fc.constantFrom('exact', 'subdomains', 'apex-and-subdomains') }) },
  { weight: 4, arbitrary: cidrArb },
  { weight: 1, arbitrary: fc.record({ cidr: cidrArb }) },
  { weight: 2, arbitrary: pick(h, fc.constantFrom(...TAGS), fc.constantFrom(...ODD_TAGS)) as fc.Arbitrary<Json> },
  { weight: 2, arbitrary: fc.constantFrom({ group: 'nodes' }, { group: 'peers' }) },
  { weight: 1, arbitrary: fc.constantFrom('{region}.example.net', `{region}.${'q'.repeat(50)}.example.com`) },
);

  const provenanceArb = fc.record(
  {
    document: hostileText,
    section: hostileText,
    line: fc.integer({ min: 1, max: 100000 }),
    row: fc.integer({ min: 1, max: 1000 }),
    text: hostileText,
  },
  { requiredKeys: [] },
);

  const requirementArb = fc.record(
  {
    id: idArb,
    scenario: hostileText,
    direction: fc.constantFrom('outbound', 'outbound', 'inbound', 'internal'),
    sources: fc.array(fc.oneof(cidrArb, fc.constantFrom<Json>({ group: 'nodes' }, { group: 'peers' })), { minLength: 1, maxLength: 3 }),
    destinations: fc.array(endpointArb, { minLength: 1, maxLength: 12 }),
    ports: fc.array(portArb, { minLength: 1, maxLength: 3 }),
    purpose: hostileText,
    provenance: provenanceArb,
    allowBroad: hostileText,
  },
  { requiredKeys: ['id', 'destinations', 'ports', 'provenance', 'purpose'] },
);
  return { idArb, hostArb, cidrArb, portArb, endpointArb, requirementArb };
}

export interface FuzzCase {
  /** The requirement file as an object; `text` is how it is written. */
  doc: Obj;
  format: 'yaml' | 'json';
  params: Record<string, string>;
  bind: Record<string, string>;
  set: Record<string, string | number | boolean>;
}

/** Hostile --set values for the string options of each target, beside valid ones. */
const setArbs = (h: boolean): Record<string, fc.Arbitrary<Record<string, string | number | boolean>>> => ({
  squid: fc.record({ subdomains: fc.constantFrom('exact', 'widen'), 'final-deny': fc.boolean() }, { requiredKeys: [] }),
  iptables: fc.record(
    {
      'egress-chain': fc.constantFrom('OUTPUT', 'FORWARD'),
      'ingress-chain': fc.constantFrom('INPUT', 'FORWARD'),
      final: fc.constantFrom('reject', 'drop', 'return'),
      flush: fc.constantFrom('table', 'chains'),
      'ipset-threshold': fc.constantFrom(0, 1, 2, 8),
      'name-prefix': pick(h, fc.constantFrom('fwgen', 'edge', 'a'), hostileText),
    },
    { requiredKeys: [] },
  ),
  nftables: fc.record(
    {
      mode: fc.constantFrom('host', 'forward'),
      policy: fc.constantFrom('drop', 'reject', 'accept'),
      counters: fc.boolean(),
      essentials: fc.boolean(),
      table: pick(h, fc.constantFrom('fwgen', 'fwgen_edge'), hostileText),
    },
    { requiredKeys: [] },
  ),
  'k8s-networkpolicy': fc.record(
    {
      namespace: pick(h, fc.constantFrom('default', 'vendor-agent'), hostileText),
      'pod-selector': pick(h, fc.constantFrom('', 'app=agent', 'app=agent,tier=on'), hostileText),
      'name-prefix': pick(h, fc.constantFrom('fwgen-', 'x.', ''), hostileText),
      'allow-dns': fc.boolean(),
      'dns-selector': pick(h, fc.constantFrom('k8s-app=kube-dns', ''), hostileText),
    },
    { requiredKeys: [] },
  ),
  cilium: fc.record(
    {
      namespace: pick(h, fc.constantFrom('default', 'vendor-agent'), hostileText),
      name: pick(h, fc.constantFrom('', 'my-policy'), hostileText),
      clusterwide: fc.boolean(),
      selector: pick(h, fc.constantFrom('', 'app=agent'), hostileText),
      'group-label': pick(h, fc.constantFrom('', 'fwgen.io/group'), hostileText),
      'double-star': fc.boolean(),
      'dns-lookups': fc.constantFrom('required', 'all'),
    },
    { requiredKeys: [] },
  ),
  'azure-firewall': fc.record(
    {
      format: fc.constantFrom('arm', 'terraform'),
      'policy-name': pick(h, fc.constantFrom('', 'fwpol-hub'), hostileText),
      'group-name': pick(h, fc.constantFrom('', 'vendor-rules'), hostileText),
      'network-fqdns': fc.boolean(),
      'ip-group-threshold': fc.constantFrom(1, 2, 100),
    },
    { requiredKeys: [] },
  ),
  'azure-nsg': fc.record(
    {
      resource: fc.constantFrom('nsg', 'rules'),
      'nsg-name': pick(h, fc.constantFrom('', 'nsg-nodes'), hostileText),
      'final-deny': fc.constantFrom('internet', 'none'),
      'priority-start': fc.constantFrom(100, 1000, 4000),
    },
    { requiredKeys: [] },
  ),
  panos: fc.record(
    {
      device: pick(h, fc.constantFrom('localhost.localdomain', 'fw1'), hostileText),
      vsys: pick(h, fc.constantFrom('vsys1', 'vsys2'), hostileText),
      'from-zone': pick(h, fc.constantFrom('trust', 'agents zone'), hostileText),
      'to-zone': pick(h, fc.constantFrom('untrust', 'internet'), hostileText),
      'name-prefix': pick(h, fc.constantFrom('fwgen', 'vendor'), hostileText),
      'ip-ranges': fc.boolean(),
      'address-lists': fc.constantFrom('objects', 'edl'),
      'edl-url': pick(h, fc.constantFrom('https://lists.example.com/edl/'), hostileText),
    },
    { requiredKeys: [] },
  ),
});

const bindValue = (h: boolean) =>
  pick(
    h,
    fc.array(fc.constantFrom(...GOOD_CIDRS), { minLength: 1, maxLength: 3 }).map((l) => l.join(',')),
    fc.oneof(fc.constantFrom(...ODD_CIDRS), hostileText),
    2,
  );

/** A whole case for one target: clean names and addresses in most, hostile ones now and then in the rest. */
export function caseArb(target: string): fc.Arbitrary<FuzzCase> {
  return fc.oneof({ weight: 3, arbitrary: caseOf(target, false) }, { weight: 2, arbitrary: caseOf(target, true) });
}

function caseOf(target: string, h: boolean): fc.Arbitrary<FuzzCase> {
  const { idArb, requirementArb } = pools(h);
  const labelArb = pick(h, fc.constantFrom('plain', 'label-1', 'x'), hostileText, 2);
  const doc = fc.record({
    id: idArb,
    title: hostileText,
    vendor: hostileText,
    source: fc.record({ document: hostileText, sections: fc.array(hostileText, { maxLength: 2 }) }),
    parameters: fc.record({
      region: fc.record({ kind: fc.constant('string'), pattern: fc.constantFrom('^[a-z0-9]+$', '.*', '^.+$'), description: hostileText }, { requiredKeys: ['kind', 'pattern'] }),
      label: fc.record({ kind: fc.constant('string'), default: labelArb, description: hostileText }, { requiredKeys: ['kind', 'default'] }),
    }),
    options: fc.record({ extra: fc.record({ default: fc.boolean(), description: hostileText }, { requiredKeys: ['default'] }) }),
    groups: fc.record({
      nodes: fc.record({ title: hostileText, description: hostileText }, { requiredKeys: ['title'] }),
      peers: fc.record({ title: hostileText }),
    }),
    requirements: fc.uniqueArray(requirementArb, { minLength: 1, maxLength: 4, selector: (r) => r.id }),
  });
  return fc.record({
    doc: doc as unknown as fc.Arbitrary<Obj>,
    format: fc.constantFrom<'yaml' | 'json'>('yaml', 'json'),
    params: fc.record({ region: pick(h, fc.constantFrom('eastus', 'westeurope'), hostileText, 2), label: labelArb }, { requiredKeys: ['region'] }),
    bind: fc.record({ nodes: bindValue(h), peers: bindValue(h) }, { requiredKeys: [] }),
    set: setArbs(h)[target]!,
  });
}

/** The file text of a case: YAML as the `yaml` package writes it (quoted and escaped as needed), or JSON. */
export function caseText(c: FuzzCase): string {
  return c.format === 'json' ? JSON.stringify(c.doc, null, 2) + '\n' : stringify(c.doc, { lineWidth: 0 });
}

/** Paths of the free-text fields: what a twin replaces to show the structure never depends on them. */
export function neutralise(c: FuzzCase): FuzzCase {
  const d = structuredClone(c.doc) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const plain = 'text';
  d.title = plain;
  d.vendor = plain;
  d.source.document = plain;
  d.source.sections = d.source.sections.map(() => plain);
  for (const p of Object.values(d.parameters) as Record<string, unknown>[]) if ('description' in p) p.description = plain;
  if ('description' in d.options.extra) d.options.extra.description = plain;
  for (const g of Object.values(d.groups) as Record<string, unknown>[]) {
    if ('title' in g) g.title = plain;
    if ('description' in g) g.description = plain;
  }
  for (const r of d.requirements as Record<string, any>[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
    r.purpose = plain;
    if ('scenario' in r) r.scenario = plain;
    if ('allowBroad' in r) r.allowBroad = plain;
    for (const k of ['document', 'section', 'text']) if (k in r.provenance) r.provenance[k] = plain;
  }
  return { ...c, doc: d };
}
