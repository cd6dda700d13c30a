/**
 * Checks for PAN-OS output. There is no PAN-OS engine or XSD, so the structure is compared with what real
 * configurations and Palo Alto Networks' own object specs contain (see /work/shared/reference/README.md):
 * - every element path of the output's vsys subtree must occur in a real sample (PAN-OS 8.0 running config,
 *   IronSkillet 11.0, Panorama 10.0 device groups) or be declared by pan-os-codegen's specs;
 * - the outer path is the codegen specs' `vsys` location, /config/devices/entry/vsys/entry;
 * - lengths and enumerations the specs declare hold.
 * The samples and specs are read from ../shared (CI has it beside the clone); specs skip loudly without them.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse as parseYaml } from 'yaml';

export const REFERENCE = process.env.FWGEN_REFERENCE ?? '/work/shared/reference/panos';

export function referenceAvailable(): boolean {
  return existsSync(join(REFERENCE, 'pan-os-codegen-specs', 'address.yaml'));
}

type Ordered = Record<string, unknown>[];
const orderedParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', preserveOrder: true, commentPropName: '#comment', parseTagValue: false, trimValues: true });

function walk(nodes: Ordered, path: string, out: Set<string>): void {
  for (const n of nodes) {
    for (const k of Object.keys(n)) {
      if (k === ':@' || k === '#text' || k === '#comment' || k === '?xml') continue;
      const np = path ? `${path}/${k}` : k;
      out.add(np);
      walk(n[k] as Ordered, np, out);
    }
  }
}

/** Every element path in a document, e.g. `config/devices/entry/vsys/entry/address/entry/fqdn`. */
export function elementPaths(xml: string): Set<string> {
  const out = new Set<string>();
  walk(orderedParser.parse(xml) as Ordered, '', out);
  return out;
}

let allowed: Set<string> | undefined;

/** Paths below a vsys entry (or a Panorama device group, which holds the same objects) in the samples and specs. */
export function allowedVsysPaths(): Set<string> {
  if (allowed) return allowed;
  const out = new Set<string>();
  for (const f of readdirSync(REFERENCE).filter((x) => x.endsWith('.xml'))) {
    for (const p of elementPaths(readFileSync(join(REFERENCE, f), 'utf8'))) {
      const m = /(?:\/vsys\/entry\/|\/device-group\/entry\/)(.*)$/.exec(p);
      if (m) out.add(m[1]!.replace(/^pre-rulebase\//, 'rulebase/').replace(/^post-rulebase\//, 'rulebase/'));
    }
  }
  for (const s of codegenSpecs()) for (const p of s.paths) out.add(p);
  allowed = out;
  return out;
}

export interface Constraint {
  path: string;
  max?: number;
  min?: number;
  values?: string[];
}

interface SpecInfo {
  name: string;
  paths: string[];
  constraints: Constraint[];
  vsysLocation: string;
}

let specs: SpecInfo[] | undefined;

interface Param {
  name: string;
  type: string;
  profiles: { xpath: string[]; type?: string }[];
  validators?: { type: string; spec: { min?: number; max?: number; values?: (string | { value: string })[] } }[];
  spec?: { params?: Param[]; variants?: Param[] };
}

/** Paths and constraints from pan-os-codegen's specs, relative to a vsys entry. */
export function codegenSpecs(): SpecInfo[] {
  if (specs) return specs;
  const dir = join(REFERENCE, 'pan-os-codegen-specs');
  specs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const y = parseYaml(readFileSync(join(dir, f), 'utf8')) as {
        name: string;
        panos_xpath: { path: string[] };
        locations: { name: string; xpath: { path: string[] } }[];
        spec: { params: Param[]; variants: Param[] };
      };
      const loc = y.locations.find((l) => l.name === 'vsys')!.xpath.path.map((p) => (p.startsWith('$') ? 'entry' : p));
      const vsysIndex = loc.lastIndexOf('entry');
      const under = loc.slice(vsysIndex + 1);
      const base = [...under, ...y.panos_xpath.path, 'entry'].join('/');
      const paths = [base];
      const constraints: Constraint[] = [];
      const visit = (ps: Param[], at: string) => {
        for (const p of ps) {
          const prof = p.profiles[0];
          if (!prof) continue;
          const here = [at, ...prof.xpath].filter(Boolean).join('/');
          // A path through several elements (option/disable-server-response-inspection) adds its parents too.
          const parts = here.split('/');
          for (let i = base.split('/').length + 1; i <= parts.length; i++) paths.push(parts.slice(0, i).join('/'));
          if (prof.type === 'member') paths.push(`${here}/member`);
          for (const v of p.validators ?? []) {
            if (v.type === 'length') constraints.push({ path: here, ...(v.spec.min !== undefined ? { min: v.spec.min } : {}), ...(v.spec.max !== undefined ? { max: v.spec.max } : {}) });
            if (v.type === 'values' && p.type === 'enum') constraints.push({ path: here, values: (v.spec.values ?? []).map((x) => (typeof x === 'string' ? x : x.value)) });
          }
          visit(p.spec?.params ?? [], here);
          visit(p.spec?.variants ?? [], here);
        }
      };
      visit(y.spec.params, base);
      visit(y.spec.variants, base);
      return { name: y.name, paths, constraints, vsysLocation: loc.join('/') };
    });
  return specs;
}

const plainParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => name === 'entry' || name === 'member',
});

export interface Entry {
  '@_name': string;
  [k: string]: unknown;
}
export interface Vsys {
  address?: { entry: Entry[] };
  'address-group'?: { entry: Entry[] };
  'external-list'?: { entry: Entry[] };
  service?: { entry: Entry[] };
  profiles?: { 'custom-url-category'?: { entry: Entry[] } };
  rulebase?: { security?: { rules?: { entry?: Entry[] } | '' } };
}

/** The vsys entry of an output, with entries and members always as arrays. */
export function parseVsys(xml: string): { device: string; vsys: string; entry: Vsys } {
  const doc = plainParser.parse(xml) as { config: { devices: { entry: (Entry & { vsys: { entry: (Entry & Vsys)[] } })[] } } };
  const dev = doc.config.devices.entry;
  if (dev.length !== 1) throw new Error('expected one device entry');
  const vs = dev[0]!.vsys.entry;
  if (vs.length !== 1) throw new Error('expected one vsys entry');
  return { device: dev[0]!['@_name'], vsys: vs[0]!['@_name'], entry: vs[0]! };
}

/** Structure and limit problems of an output; empty when it matches the samples and specs. */
export function checkStructure(xml: string): string[] {
  const problems: string[] = [];
  const paths = elementPaths(xml);
  const root = codegenSpecs().find((s) => s.name === 'address')!.vsysLocation;
  const allowedPaths = allowedVsysPaths();
  for (const p of paths) {
    if (root.startsWith(p)) continue;
    if (!p.startsWith(`${root}/`)) problems.push(`${p} is outside ${root}`);
    else if (!allowedPaths.has(p.slice(root.length + 1))) problems.push(`${p} occurs in no sample and no codegen spec`);
  }
  // Limits: walk entries of each kind and check the declared constraints.
  const { entry } = parseVsys(xml);
  const texts = (e: Entry, rel: string): string[] => {
    let cur: unknown[] = [e];
    for (const part of rel.split('/')) cur = cur.flatMap((c) => (c && typeof c === 'object' && part in c ? [(c as Record<string, unknown>)[part]].flat() : []));
    return cur.map((c) => (typeof c === 'string' ? c : JSON.stringify(c)));
  };
  const kinds: [string, Entry[]][] = [
    ['address', entry.address?.entry ?? []],
    ['address-group', entry['address-group']?.entry ?? []],
    ['external-dynamic-list', entry['external-list']?.entry ?? []],
    ['service', entry.service?.entry ?? []],
    ['custom-url-category', entry.profiles?.['custom-url-category']?.entry ?? []],
    ['Security Policy', (typeof entry.rulebase?.security?.rules === 'object' ? entry.rulebase.security.rules.entry : undefined) ?? []],
  ];
  for (const [kind, entries] of kinds) {
    const spec = codegenSpecs().find((s) => s.name === kind)!;
    const base = spec.paths[0]!;
    for (const e of entries) {
      // 31 for URL categories (older releases) and external lists (documented: 32).
      const max = kind === 'custom-url-category' || kind === 'external-dynamic-list' ? 31 : 63;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(e['@_name']) || e['@_name'].length > max) problems.push(`${kind} name ${e['@_name']}`);
      for (const c of spec.constraints) {
        for (const t of texts(e, c.path.slice(base.length + 1))) {
          if (c.max !== undefined && t.length > c.max) problems.push(`${kind} ${e['@_name']}: ${c.path} longer than ${c.max}`);
          if (c.min !== undefined && t.length < c.min) problems.push(`${kind} ${e['@_name']}: ${c.path} shorter than ${c.min}`);
          if (c.values && !c.values.includes(t)) problems.push(`${kind} ${e['@_name']}: ${c.path} ${t} is not one of ${c.values.join(', ')}`);
        }
      }
    }
    const names = entries.map((e) => e['@_name']);
    if (new Set(names).size !== names.length) problems.push(`${kind}: duplicate names`);
  }
  const objects = [...(entry.address?.entry ?? []), ...(entry['address-group']?.entry ?? []), ...(entry['external-list']?.entry ?? [])].map((e) => e['@_name']);
  if (new Set(objects).size !== objects.length) problems.push('addresses, address groups and external lists share a name');
  return problems;
}
