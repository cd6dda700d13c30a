/**
 * What the hostile-input suite knows about each target's output:
 * - `skeleton`: the output with everything free text may legitimately change left out (comments, descriptions,
 *   annotations, metadata); two inputs that differ only in free text must give equal skeletons;
 * - `values`: the strings that name what the rules allow (addresses and host names), read from the parsed output
 *   (never from comments), so that each can be checked against what the input gave;
 * - `offline`: the checks made in-process (the official schemas, HCL parse), problems as strings;
 * - the real engines run in batches by spec/fuzz/engines.ts.
 */
import { XMLParser } from 'fast-xml-parser';
import { createRequire } from 'node:module';
import { parseAllDocuments } from 'yaml';
import type { OutputFile } from '../../lib/index.js';
import { checkTemplates } from '../emitters/azure-common/arm-check.js';
import { checkStream } from '../emitters/k8s-networkpolicy/check.js';
import { parsePolicies, validatePolicy } from '../emitters/cilium/check.js';
import { squidDirectives } from '../helpers/squid-directives.js';

type Obj = Record<string, unknown>;
const hcl = createRequire(import.meta.url)('@cdktf/hcl2json') as { parse: (file: string, text: string) => Promise<Obj> };

/** Lines as a line-based engine reads them: any of CR, LF, VT, FF ends one. Comments (`#` first) left out. */
function codeLines(text: string): string[] {
  return text
    .split(/[\r\n\v\f]/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}


function iptablesSkeleton(text: string): string[] {
  return codeLines(text).map((l) => l.replace(/-m comment --comment "(?:[^"\\\n]|\\.)*"/g, '-m comment --comment C'));
}

function nftSkeleton(text: string): string[] {
  return codeLines(text).map((l) => l.replace(/comment "(?:[^"\\\n]|\\.)*"/g, 'comment C'));
}

const FREE_KEYS = new Set(['description', 'annotations', 'metadata:notes', 'notes']);

/** A parsed document without the keys free text fills, as canonical JSON. */
function stripFree(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => stripFree(x));
  if (v && typeof v === 'object') {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v as Obj)) {
      if (FREE_KEYS.has(k)) continue;
      // The ARM template's own metadata (generator, notes) is free text; a resource's `metadata` key never occurs.
      if (k === 'metadata' && key === '') continue;
      out[k] = stripFree(x, k);
    }
    return out;
  }
  return v;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, trimValues: true, isArray: () => true });

function yamlDocs(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`YAML: ${d.errors.map((e) => e.message).join('; ')}`);
    return d.toJS({ maxAliasCount: 0 }) as unknown;
  }).filter((d) => d !== null);
}

export interface TargetInfo {
  skeleton(files: readonly OutputFile[]): Promise<unknown>;
  /** Every allowed address and host name the output writes outside comments and descriptions. */
  values(files: readonly OutputFile[]): Promise<{ addresses: string[]; names: string[] }>;
  offline(files: readonly OutputFile[]): Promise<string[]>;
  /** Structure counts: what the suite compares with the input (objects, rules, set elements ...). */
  counts(files: readonly OutputFile[]): Promise<Record<string, number>>;
}

/** Strings in a parsed tree, with the key each sits under. */
function leaves(v: unknown, key = '', out: { key: string; value: string }[] = []): { key: string; value: string }[] {
  if (typeof v === 'string') out.push({ key, value: v });
  else if (Array.isArray(v)) for (const x of v) leaves(x, key, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v as Obj)) leaves(x, k, out);
  return out;
}

/** Address-looking tokens: IPv4 dotted quads and IPv6 with two or more colons, each with an optional /len. */
export function addressTokens(text: string): string[] {
  return [...text.matchAll(/(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?)(?:\/\d{1,3})?(?![\w:])/g)].map((m) => m[0]).filter((t) => t.includes('.') || (t.match(/:/g)?.length ?? 0) >= 2);
}

const NAME_KEYS = new Set(['targetFqdns', 'destinationFqdns', 'destination_fqdns', 'matchName', 'matchPattern', 'fqdn']);
/** Keys whose values look like addresses but are versions. */
const VERSION_KEYS = new Set(['contentVersion', '$schema', 'apiVersion']);

function treeValues(trees: unknown[]): { addresses: string[]; names: string[] } {
  const addresses: string[] = [];
  const names: string[] = [];
  for (const t of trees) {
    for (const { key, value } of leaves(t)) {
      if (!VERSION_KEYS.has(key)) addresses.push(...addressTokens(value));
      if (NAME_KEYS.has(key) && /[a-z]/i.test(value) && !value.includes(' ') && value.includes('.')) names.push(value);
    }
  }
  return { addresses, names };
}

const squid: TargetInfo = {
  skeleton: async (f) => squidDirectives(f[0]!.contents),
  async values(f) {
    const addresses: string[] = [];
    const names: string[] = [];
    for (const d of squidDirectives(f[0]!.contents)) {
      const w = d.split(/\s+/);
      if (w[0] !== 'acl') continue;
      const vals = w.slice(3).filter((x) => !x.startsWith('-'));
      if (w[2] === 'src' || w[2] === 'dst') addresses.push(...vals);
      if (w[2] === 'dstdomain') names.push(...vals);
      if (w[2] === 'dstdom_regex') names.push(...vals.map((r) => `regex:${r}`));
    }
    return { addresses, names };
  },
  offline: async () => [],
  async counts(f) {
    const d = squidDirectives(f[0]!.contents);
    return { acl: d.filter((l) => l.startsWith('acl ')).length, http_access: d.filter((l) => l.startsWith('http_access ')).length, directives: d.length };
  },
};

const iptables: TargetInfo = {
  skeleton: async (f) => f.map((x) => [x.path, iptablesSkeleton(x.contents)]),
  async values(f) {
    return { addresses: f.flatMap((x) => iptablesSkeleton(x.contents).flatMap(addressTokens)), names: [] };
  },
  offline: async () => [],
  async counts(f) {
    const lines = f.flatMap((x) => iptablesSkeleton(x.contents));
    return { rules: lines.filter((l) => l.startsWith('-A ')).length, setElements: lines.filter((l) => /^add /.test(l)).length };
  },
};

const nftables: TargetInfo = {
  skeleton: async (f) => nftSkeleton(f[0]!.contents),
  async values(f) {
    return { addresses: nftSkeleton(f[0]!.contents).flatMap(addressTokens), names: [] };
  },
  offline: async () => [],
  async counts(f) {
    const lines = nftSkeleton(f[0]!.contents);
    return { tables: lines.filter((l) => /^table /.test(l)).length, rules: lines.filter((l) => /\b(accept|drop|reject)\b/.test(l)).length };
  },
};

const k8s: TargetInfo = {
  skeleton: async (f) => f.map((x) => stripFree(yamlDocs(x.contents))),
  values: async (f) => treeValues(f.flatMap((x) => yamlDocs(x.contents).map((d) => stripFree(d)))),
  async offline(f) {
    const out: string[] = [];
    for (const x of f) {
      try {
        checkStream(x.contents);
      } catch (e) {
        out.push(`${x.path}: ${(e as Error).message}`);
      }
    }
    return out;
  },
  counts: async (f) => ({ documents: f.flatMap((x) => yamlDocs(x.contents)).length }),
};

const cilium: TargetInfo = {
  skeleton: async (f) => f.map((x) => stripFree(yamlDocs(x.contents))),
  values: async (f) => treeValues(f.flatMap((x) => yamlDocs(x.contents).map((d) => stripFree(d)))),
  async offline(f) {
    const out: string[] = [];
    for (const x of f) {
      try {
        for (const p of parsePolicies(x.contents)) out.push(...validatePolicy(p).map((m) => `${x.path}: ${m}`));
      } catch (e) {
        out.push(`${x.path}: ${(e as Error).message}`);
      }
    }
    return out;
  },
  counts: async (f) => ({ documents: f.flatMap((x) => yamlDocs(x.contents)).length }),
};

/** Parsed once per output file: the skeleton, the values and the offline checks all read it. */
const parsedFiles = new WeakMap<OutputFile, Promise<unknown>>();
function parsedOnce(x: OutputFile, parse: () => Promise<unknown>): Promise<unknown> {
  let p = parsedFiles.get(x);
  if (!p) parsedFiles.set(x, (p = parse()));
  return p;
}

async function azureTrees(f: readonly OutputFile[]): Promise<unknown[]> {
  return Promise.all(f.map((x) => parsedOnce(x, async () => (x.path.endsWith('.tf') ? hcl.parse(x.path, x.contents) : (JSON.parse(x.contents) as unknown)))));
}

/** HCL template escapes (`$${`, `%%{`) stand for one literal `${`, `%{`; a bare `${` is an interpolation. */
function hclProblems(tree: unknown): string[] {
  return leaves(tree)
    .filter(({ key, value }) => !(key === 'type' && /^\$\{(?:string|number|bool)\}$/.test(value)))
    .filter(({ value }) => !/^\$\{(?:azurerm_[a-z_]+\.[A-Za-z0-9_-]+(?:\.id)?|var\.[a-z_]+)\}$/.test(value))
    .filter(({ value }) => /(?<!\$)\$\{|(?<!%)%\{/.test(value))
    .map(({ key, value }) => `HCL interpolation in ${key}: ${JSON.stringify(value).slice(0, 200)}`);
}

const azure: TargetInfo = {
  skeleton: async (f) => (await azureTrees(f)).map((t) => stripFree(t)),
  values: async (f) => treeValues((await azureTrees(f)).map((t) => stripFree(t))),
  async offline(f) {
    const json = f.filter((x) => x.path.endsWith('.json'));
    const tf = f.filter((x) => x.path.endsWith('.tf'));
    const out: string[] = [];
    try {
      out.push(...checkTemplates(json));
    } catch (e) {
      out.push(`ARM: ${(e as Error).message}`);
    }
    for (const x of tf) {
      try {
        out.push(...hclProblems((await azureTrees([x]))[0]).map((p) => `${x.path}: ${p}`));
      } catch (e) {
        out.push(`${x.path}: HCL: ${(e as Error).message}`);
      }
    }
    return out;
  },
  async counts(f) {
    const trees = await azureTrees(f);
    const rules = leaves(trees.map((t) => stripFree(t))).filter((l) => l.key === 'ruleType' || l.key === 'access').length;
    return { files: f.length, rules };
  },
};

const panos: TargetInfo = {
  skeleton: async (f) => f.map((x) => (x.path.endsWith('.xml') ? stripFree(xml.parse(x.contents)) : codeLines(x.contents))),
  async values(f) {
    const trees = f.filter((x) => x.path.endsWith('.xml')).map((x) => stripFree(xml.parse(x.contents)));
    const v = treeValues(trees);
    for (const x of f) if (!x.path.endsWith('.xml')) v.addresses.push(...codeLines(x.contents).flatMap(addressTokens));
    return v;
  },
  offline: async () => [],
  async counts(f) {
    const x = f.find((y) => y.path.endsWith('.xml'))!.contents;
    return { entries: (x.match(/<entry /g) ?? []).length };
  },
};

export const TARGETS: Record<string, TargetInfo> = {
  squid,
  iptables,
  nftables,
  'k8s-networkpolicy': k8s,
  cilium,
  'azure-firewall': azure,
  'azure-nsg': azure,
  panos,
};

