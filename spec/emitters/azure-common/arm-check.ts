/**
 * The "engine" for the Azure targets: there is no Azure here, so a template is checked as far as can be offline.
 * 1. ajv (draft-04) against Azure's own ARM schemas, copied in spec/schemas/azure/: the whole template against the
 *    deployment template schema (offline subset), and each resource against its resource schema.
 * 2. Closed objects: the schemas leave additionalProperties open, so a misspelt property would pass; every object the
 *    targets write is checked against the property names the schema declares for it.
 * 3. What the API enforces but the schemas do not say: name rules and lengths, NSG priorities (100-4096, unique per
 *    direction), descriptions of at most 140 characters, one service tag per NSG rule side, port syntax, application
 *    rule ports up to 64000, and strings ARM would read as expressions.
 */
import Ajv04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCHEMAS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas', 'azure');

type Obj = Record<string, unknown>;
type Schema = { properties?: Record<string, unknown>; definitions: Record<string, Schema & { oneOf?: Schema[] }>; oneOf?: Schema[] };

const load = (f: string) => JSON.parse(readFileSync(join(SCHEMAS, f), 'utf8')) as Schema;
const files = {
  template: 'deploymentTemplate.2019-04-01.offline-network-subset.schema.json',
  ruleCollectionGroups: 'Microsoft.Network.firewallPolicies.ruleCollectionGroups.2025-07-01.schema.json',
  nsg: 'Microsoft.Network.networkSecurityGroups.2025-07-01.schema.json',
  securityRules: 'Microsoft.Network.networkSecurityGroups.securityRules.2025-07-01.schema.json',
  ipGroups: 'Microsoft.Network.ipGroups.2025-07-01.schema.json',
} as const;

let compiled: Record<keyof typeof files, ValidateFunction> | undefined;
let schemas: Record<keyof typeof files, Schema> | undefined;

function validators(): Record<keyof typeof files, ValidateFunction> {
  if (!compiled) {
    // strict: false as the reference README says (the subset has allOf branches with properties but no type).
    const ajv = new Ajv04({ strict: false, allErrors: true });
    schemas = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, load(f)])) as Record<keyof typeof files, Schema>;
    compiled = Object.fromEntries(Object.entries(schemas).map(([k, s]) => [k, ajv.compile(s)])) as Record<keyof typeof files, ValidateFunction>;
  }
  return compiled;
}

function errors(v: ValidateFunction, what: string): string[] {
  return (v.errors ?? []).map((e) => `${what}${e.instancePath}: ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
}

const RESOURCE_SCHEMA: Record<string, keyof typeof files> = {
  'Microsoft.Network/firewallPolicies/ruleCollectionGroups': 'ruleCollectionGroups',
  'Microsoft.Network/networkSecurityGroups': 'nsg',
  'Microsoft.Network/networkSecurityGroups/securityRules': 'securityRules',
  'Microsoft.Network/ipGroups': 'ipGroups',
};

/** Every problem with a template the Azure targets wrote; empty when it passes. */
export function checkTemplate(template: unknown): string[] {
  const v = validators();
  const problems: string[] = [];
  if (!v.template(template)) problems.push(...errors(v.template, 'template'));
  const t = template as Obj;
  const resources = (t.resources ?? []) as Obj[];
  resources.forEach((r, i) => {
    const kind = RESOURCE_SCHEMA[String(r.type)];
    if (!kind) return void problems.push(`resources/${i}: unexpected type ${String(r.type)}`);
    if (!v[kind](r)) problems.push(...errors(v[kind], `resources/${i}`));
    if (kind === 'ruleCollectionGroups') problems.push(...firewallProblems(r, `resources/${i}`));
    if (kind === 'nsg') problems.push(...nsgProblems(((r.properties as Obj).securityRules ?? []) as Obj[], `resources/${i}`));
    if (kind === 'ipGroups') problems.push(...ipGroupProblems(r, `resources/${i}`));
  });
  const childRules = resources.filter((r) => r.type === 'Microsoft.Network/networkSecurityGroups/securityRules');
  if (childRules.length) problems.push(...nsgProblems(childRules.map((r) => ({ name: lastPart(String(r.name)), properties: r.properties })), 'securityRules'));
  problems.push(...expressionProblems(template, ''));
  // dependsOn may name only resources of the same template.
  const here = new Set(resources.map(resourceKey));
  resources.forEach((r, i) => {
    for (const d of (r.dependsOn ?? []) as string[]) if (!here.has(dependencyKey(d))) problems.push(`resources/${i}: dependsOn ${d} is not a resource of this template`);
  });
  return problems;
}

/** A resource as `type/name`, its name's last segment as written. */
function resourceKey(r: Obj): string {
  return `${String(r.type)}/${lastPart(String(r.name))}`;
}

/** `[resourceId('TYPE', ..., 'NAME')]` as `TYPE/NAME`. */
function dependencyKey(expr: string): string {
  const m = /^\[resourceId\('([^']+)',.*'([^']+)'\)\]$/.exec(expr);
  return m ? `${m[1]}/${m[2]}` : expr;
}

/**
 * The templates of one output, deployed in order: each passes checkTemplate, stays within ARM's limits (4 MB,
 * 800 resources), and every IP Group a rule references is defined in its template or an earlier one.
 */
export function checkTemplates(files: readonly { path: string; contents: string }[]): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  for (const f of files) {
    if (Buffer.byteLength(f.contents) > 4_000_000) problems.push(`${f.path}: ${Buffer.byteLength(f.contents)} bytes, over ARM's 4 MB`);
    const t = JSON.parse(f.contents) as Obj;
    problems.push(...checkTemplate(t).map((p) => `${f.path}: ${p}`));
    const resources = (t.resources ?? []) as Obj[];
    if (resources.length > 800) problems.push(`${f.path}: ${resources.length} resources, over ARM's 800`);
    for (const r of resources) if (r.type === 'Microsoft.Network/ipGroups') defined.add(String(r.name));
    for (const r of resources) {
      if (r.type !== 'Microsoft.Network/firewallPolicies/ruleCollectionGroups') continue;
      for (const c of ((r.properties as Obj).ruleCollections ?? []) as Obj[]) {
        for (const rule of (c.rules ?? []) as Obj[]) {
          for (const ref of [...((rule.sourceIpGroups ?? []) as string[]), ...((rule.destinationIpGroups ?? []) as string[])]) {
            const name = /^\[resourceId\('Microsoft\.Network\/ipGroups', '([^']+)'\)\]$/.exec(ref)?.[1];
            if (!name) problems.push(`${f.path}: rule ${String(rule.name)}: ${ref} is not an IP Group reference`);
            else if (!defined.has(name)) problems.push(`${f.path}: rule ${String(rule.name)} uses IP Group ${name}, which no template before it defines`);
          }
        }
      }
    }
  }
  return problems;
}

const IPV4_ENTRY = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\/(?:3[0-2]|[12]?\d))?$/;

function ipGroupProblems(r: Obj, where: string): string[] {
  const out: string[] = [];
  const props = r.properties as Obj;
  out.push(...closed(props, allowedKeys('IpGroupPropertiesFormat', undefined, 'ipGroups'), `${where}/properties`));
  if (!NAME.test(String(r.name))) out.push(`${where}: IP Group name ${String(r.name)} breaks Azure's naming rules`);
  if (typeof r.location !== 'string') out.push(`${where}: an IP Group needs a location`);
  const entries = (props.ipAddresses ?? []) as string[];
  if (entries.length === 0) out.push(`${where}: an IP Group without addresses`);
  if (entries.length > 5000) out.push(`${where}: ${entries.length} addresses, over the 5,000 an IP Group holds`);
  for (const e of entries) if (!IPV4_ENTRY.test(e)) out.push(`${where}: ${e} is not an IPv4 address or prefix`);
  return out;
}

function lastPart(armName: string): string {
  const m = /'([^']*)'\)\]$/.exec(armName);
  return m ? m[1]! : armName;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;
const PORT = /^(?:\*|[0-9]{1,5}(?:-[0-9]{1,5})?)$/;
const CIDR = /^[0-9a-fA-F:.]+\/[0-9]{1,3}$/;

function allowedKeys(definition: string, alternativeBy?: { key: string; value: unknown }, schema?: keyof typeof files): Set<string> {
  const s = schemas![schema ?? (definition.startsWith('Common') ? 'nsg' : 'ruleCollectionGroups')];
  const def = s.definitions[definition]!;
  const keys = new Set(Object.keys(def.properties ?? {}));
  if (alternativeBy && def.oneOf) {
    const alt = def.oneOf.find((o) => {
      const p = (o.properties?.[alternativeBy.key] ?? {}) as { enum?: unknown[] };
      return p.enum?.includes(alternativeBy.value);
    });
    for (const k of Object.keys(alt?.properties ?? {})) keys.add(k);
  }
  return keys;
}

function closed(o: Obj, keys: Set<string>, where: string): string[] {
  return Object.keys(o).filter((k) => !keys.has(k)).map((k) => `${where}: property ${k} is not in the schema`);
}

function portProblems(ports: unknown, where: string): string[] {
  const out: string[] = [];
  for (const p of (ports ?? []) as string[]) {
    if (!PORT.test(p)) out.push(`${where}: port "${p}" is not a port, a range or *`);
    else if (p !== '*') {
      const [a, b] = p.split('-').map(Number) as [number, number | undefined];
      if (a < 0 || a > 65535 || (b !== undefined && (b > 65535 || b < a))) out.push(`${where}: port "${p}" is out of range`);
    }
  }
  return out;
}

function firewallProblems(resource: Obj, where: string): string[] {
  const out: string[] = [];
  const props = resource.properties as Obj;
  out.push(...closed(props, allowedKeys('FirewallPolicyRuleCollectionGroupProperties'), `${where}/properties`));
  const names = new Set<string>();
  ((props.ruleCollections ?? []) as Obj[]).forEach((c, ci) => {
    const cw = `${where}/ruleCollections/${ci}`;
    out.push(...closed(c, allowedKeys('FirewallPolicyRuleCollection', { key: 'ruleCollectionType', value: c.ruleCollectionType }), cw));
    if (!NAME.test(String(c.name))) out.push(`${cw}: collection name ${String(c.name)} breaks Azure's naming rules`);
    const p = Number(c.priority);
    if (!(p >= 100 && p <= 65000)) out.push(`${cw}: priority ${p} is outside 100-65000`);
    const rules = (c.rules ?? []) as Obj[];
    if (rules.length === 0) out.push(`${cw}: a rule collection without rules`);
    rules.forEach((r, ri) => {
      const rw = `${cw}/rules/${ri}`;
      out.push(...closed(r, allowedKeys('FirewallPolicyRule', { key: 'ruleType', value: r.ruleType }), rw));
      const name = String(r.name);
      if (!NAME.test(name)) out.push(`${rw}: rule name ${name} breaks Azure's naming rules`);
      if (names.has(name.toLowerCase())) out.push(`${rw}: rule name ${name} is used twice`);
      names.add(name.toLowerCase());
      if (typeof r.description === 'string' && [...r.description].length > 140) out.push(`${rw}: description longer than 140 characters`);
      const sources = (r.sourceAddresses ?? []) as string[];
      const sourceGroups = (r.sourceIpGroups ?? []) as string[];
      // One kind of source per rule, as the portal's source type.
      if ((sources.length === 0) === (sourceGroups.length === 0)) out.push(`${rw}: exactly one of sourceAddresses and sourceIpGroups`);
      for (const s of sources) if (s !== '*' && !CIDR.test(s)) out.push(`${rw}: source ${s} is neither * nor a prefix (service tags are not sources)`);
      if (r.ruleType === 'NetworkRule') {
        out.push(...portProblems(r.destinationPorts, rw));
        const kinds = [r.destinationAddresses, r.destinationIpGroups, r.destinationFqdns].filter((x) => ((x ?? []) as string[]).length > 0);
        if (kinds.length !== 1) out.push(`${rw}: exactly one of destinationAddresses, destinationIpGroups and destinationFqdns`);
        if (((r.destinationFqdns ?? []) as string[]).some((f) => f.includes('*'))) out.push(`${rw}: a wildcard in destinationFqdns`);
        if (((r.destinationAddresses ?? []) as string[]).includes('*')) out.push(`${rw}: destination * allows every address`);
      } else if (r.ruleType === 'ApplicationRule') {
        for (const p of (r.protocols ?? []) as Obj[]) {
          out.push(...closed(p, allowedKeys('FirewallPolicyRuleApplicationProtocol'), `${rw}/protocols`));
          const port = Number(p.port);
          if (!(Number.isInteger(port) && port >= 1 && port <= 64000)) out.push(`${rw}: application protocol port ${port} outside 1-64000`);
        }
        const fqdns = (r.targetFqdns ?? []) as string[];
        const urls = (r.targetUrls ?? []) as string[];
        if ((fqdns.length === 0) === (urls.length === 0)) out.push(`${rw}: an application rule needs exactly one of targetFqdns and targetUrls`);
        for (const f of fqdns) if (!/^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/.test(f)) out.push(`${rw}: target FQDN ${f} is not a name or *.name`);
        // host/path, host/path/ or host/path/*: no scheme, no query, a "*" only at the end (Premium URL filtering).
        for (const u of urls) if (!/^(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\/(?:[A-Za-z0-9._~%-]+\/)*(?:[A-Za-z0-9._~%-]+|\*)?$/.test(u)) out.push(`${rw}: target URL ${u} is not host/path`);
        // TLS is terminated only where the firewall can read the URL of HTTPS, and only for HTTPS.
        if (r.terminateTLS !== undefined && (urls.length === 0 || !((r.protocols ?? []) as Obj[]).some((p) => p.protocolType === 'Https'))) out.push(`${rw}: terminateTLS on a rule without targetUrls over HTTPS`);
        if (urls.length && ((r.protocols ?? []) as Obj[]).some((p) => p.protocolType === 'Https') && r.terminateTLS !== true) out.push(`${rw}: targetUrls over HTTPS without terminateTLS`);
      } else out.push(`${rw}: unexpected rule type ${String(r.ruleType)}`);
    });
  });
  return out;
}

/** Security rules as in an NSG's securityRules: { name, properties }. */
function nsgProblems(rules: Obj[], where: string): string[] {
  const out: string[] = [];
  const keys = allowedKeys('CommonSecurityRulePropertiesFormat');
  const names = new Set<string>();
  const priorities = new Set<string>();
  rules.forEach((r, i) => {
    const rw = `${where}/securityRules/${i}`;
    const name = String(r.name);
    if (!NAME.test(name)) out.push(`${rw}: rule name ${name} breaks Azure's naming rules`);
    if (names.has(name.toLowerCase())) out.push(`${rw}: rule name ${name} is used twice`);
    names.add(name.toLowerCase());
    const p = r.properties as Obj;
    out.push(...closed(p, keys, rw));
    const priority = Number(p.priority);
    if (!(Number.isInteger(priority) && priority >= 100 && priority <= 4096)) out.push(`${rw}: priority ${priority} outside 100-4096`);
    const key = `${String(p.direction)}:${priority}`;
    if (priorities.has(key)) out.push(`${rw}: priority ${priority} used twice in direction ${String(p.direction)}`);
    priorities.add(key);
    if (typeof p.description === 'string' && [...p.description].length > 140) out.push(`${rw}: description longer than 140 characters`);
    for (const [single, plural] of [
      ['sourceAddressPrefix', 'sourceAddressPrefixes'],
      ['destinationAddressPrefix', 'destinationAddressPrefixes'],
      ['destinationPortRange', 'destinationPortRanges'],
      ['sourcePortRange', 'sourcePortRanges'],
    ] as const) {
      if ((p[single] === undefined) === (p[plural] === undefined)) out.push(`${rw}: exactly one of ${single} and ${plural}`);
    }
    for (const plural of ['sourceAddressPrefixes', 'destinationAddressPrefixes'] as const) {
      const list = (p[plural] ?? []) as string[];
      // A service tag or * only as the single prefix: NSG takes one tag per rule side.
      for (const x of list) if (!CIDR.test(x)) out.push(`${rw}: ${plural} holds ${x}, which is not a prefix`);
      const families = new Set(list.map((x) => (x.includes(':') ? 6 : 4)));
      if (families.size > 1) out.push(`${rw}: ${plural} mixes IPv4 and IPv6`);
    }
    out.push(...portProblems([p.destinationPortRange ?? [], p.destinationPortRanges ?? []].flat(), rw));
    if (p.protocol === '*' && (p.destinationPortRange ?? '*') !== '*') out.push(`${rw}: protocol * with ports`);
  });
  return out;
}

/** A string ARM would evaluate: `[...]` that is not `[[...`, outside the places the targets write expressions. */
function expressionProblems(v: unknown, path: string): string[] {
  if (typeof v === 'string') {
    const isExpr = v.startsWith('[') && v.endsWith(']') && !v.startsWith('[[');
    const allowed =
      /^\/resources\/\d+\/(?:name|location)$|^\/parameters\/location\/defaultValue$|^\/resources\/\d+\/dependsOn\/\d+$/.test(path) ||
      /^\/resources\/\d+\/properties\/ruleCollections\/\d+\/rules\/\d+\/(?:source|destination)IpGroups\/\d+$/.test(path);
    return isExpr && !allowed ? [`${path}: ${JSON.stringify(v)} would be evaluated as an ARM expression`] : [];
  }
  if (Array.isArray(v)) return v.flatMap((x, i) => expressionProblems(x, `${path}/${i}`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => expressionProblems(x, `${path}/${k}`));
  return [];
}
