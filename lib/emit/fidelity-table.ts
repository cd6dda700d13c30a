import type { Feature } from './emitter.js';
import { features } from './emitter.js';
import { getEmitter, listTargets } from './registry.js';
import { resolveFidelity } from './fidelity.js';

const LABELS: Record<Feature, string> = {
  'host-exact': 'exact name',
  'host-subdomains': '`*.name` (subdomains only)',
  'host-apex-and-subdomains': 'name and subdomains',
  'host-label-wildcard': 'partial-label wildcard (`azgn*.name`)',
  'host-path-http': 'host with a path, plain HTTP',
  'host-path-tls': 'host with a path, HTTPS and other TCP',
  cidr: 'CIDR',
  'service-tag': 'service tag',
  'group-destination': 'bound group (destination)',
  'group-destination-unbound': 'unbound group (destination)',
  'source-cidr': 'source CIDR',
  'source-service-tag': 'source service tag',
  'source-group': 'bound source group',
  'source-group-unbound': 'unbound source group',
  'port-http': 'HTTP port',
  'port-https': 'HTTPS port',
  'port-tcp': 'other TCP port',
  'port-ssh': 'SSH',
  'port-udp': 'UDP port',
  'all-traffic': 'all traffic',
  outbound: 'outbound',
  inbound: 'inbound',
  internal: 'internal',
};

const MARK = { exact: 'exact', widen: 'widens', narrow: 'narrows', drop: 'drops', error: 'error' } as const;

/**
 * The README's table of what each built-in target expresses, generated from the emitters' own fidelity declarations
 * (with default options), followed by each target's notes. Deterministic.
 */
export async function fidelityMarkdown(): Promise<string> {
  const targets = listTargets().filter((t) => t.origin === 'built-in');
  const tables = [];
  for (const t of targets) {
    const emitter = await getEmitter(t.id);
    const defaults = Object.fromEntries(Object.entries(emitter.options ?? {}).map(([k, o]) => [k, o.default]));
    tables.push({ id: t.id, table: resolveFidelity(emitter, defaults), alternatives: emitter.usesAlternatives === true });
  }
  const lines = [`| requirement | ${tables.map((t) => `\`${t.id}\``).join(' | ')} |`, `|---|${tables.map(() => '---').join('|')}|`];
  for (const f of features) lines.push(`| ${LABELS[f]} | ${tables.map((t) => MARK[t.table[f].level]).join(' | ')} |`);
  lines.push(`| names via the vendor's service tags | ${tables.map((t) => (t.alternatives ? 'yes' : 'no')).join(' | ')} |`);
  lines.push('');
  for (const t of tables) {
    const notes = features.filter((f) => t.table[f].level !== 'exact');
    if (!notes.length) continue;
    lines.push(`- \`${t.id}\`: ${notes.map((f) => { const x = t.table[f]; return x.level === 'exact' ? '' : `${LABELS[f]} ${MARK[x.level]} (${x.note})`; }).join('; ')}.`);
  }
  return lines.join('\n') + '\n';
}
