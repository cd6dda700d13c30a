import type { Emitter } from 'fwgen';

/** A third-party target used by the specs: one allowed host and port per line. It names nothing of the core but its public types. */
const hostList: Emitter = {
  id: 'host-list',
  describe: 'Plain list of host:port lines (spec plugin)',
  defaultFile: 'hosts.txt',
  fidelity: {
    'host-exact': { level: 'exact' },
    'host-subdomains': { level: 'exact' },
    'host-apex-and-subdomains': { level: 'exact' },
    cidr: { level: 'drop', note: 'host lists hold names only', hint: 'use --target squid' },
    'service-tag': { level: 'drop', note: 'host lists hold names only' },
    'group-destination': { level: 'drop', note: 'host lists hold names only' },
    'group-destination-unbound': { level: 'drop', note: 'host lists hold names only' },
    'source-cidr': { level: 'exact' },
    'source-service-tag': { level: 'exact' },
    'source-group': { level: 'exact' },
    'source-group-unbound': { level: 'exact' },
    'port-http': { level: 'exact' },
    'port-https': { level: 'exact' },
    'port-tcp': { level: 'exact' },
    'port-ssh': { level: 'exact' },
    'port-udp': { level: 'drop', note: 'TCP only' },
    'all-traffic': { level: 'drop', note: 'TCP only' },
    outbound: { level: 'exact' },
    inbound: { level: 'drop', note: 'outbound only' },
    internal: { level: 'drop', note: 'outbound only' },
  },
  options: { prefix: { type: 'string', default: '', describe: 'text before each line', pattern: '^[a-z]*$' } },
  emit(set, options, context) {
    const lines = context.header.map((h) => `; ${h}`);
    for (const r of set.requirements) {
      for (const d of r.destinations) {
        if (d.endpoint.kind !== 'host') continue;
        const name = d.endpoint.match === 'exact' ? d.endpoint.name : `*.${d.endpoint.name}`;
        for (const p of d.ports) lines.push(`${String(options.prefix)}${name}:${p.from}`);
      }
    }
    return { files: [{ path: 'hosts.txt', contents: lines.join('\n') + '\n' }], diagnostics: [] };
  },
};

export default hostList;
