import type { AppProtocol, PortSpec, Transport } from './requirement-set.js';
import type { Problem } from './problem.js';
import { compareStrings } from './order.js';

const DEFAULT_PORTS: Record<string, number> = { https: 443, http: 80, ssh: 22 };
const FORM = /^(https|http|ssh|tcp|udp)(?::(\*|[0-9]+)(?:-([0-9]+))?)?$/;

/**
 * Parses the model's port notation: `https:443`, `http:80`, `ssh:22`, `tcp:8000-8080`, `udp:53`, `tcp:*`,
 * `https` (its default port), or `any` (all protocols and ports).
 */
export function parsePort(input: string): { port?: PortSpec; problems: Problem[] } {
  const text = input.trim().toLowerCase();
  if (text === 'any') return { port: { transport: 'any', from: 1, to: 65535, protocol: 'any' }, problems: [] };
  const m = FORM.exec(text);
  if (!m) {
    return problem('MODEL_PORT', `"${input}" is not a port`, 'write PROTOCOL:PORT such as "https:443", "tcp:22", "udp:53" or "tcp:8000-8080", or "any" for all traffic', input);
  }
  const name = m[1]!;
  const transport: Transport = name === 'udp' ? 'udp' : 'tcp';
  const protocol: AppProtocol = name === 'tcp' || name === 'udp' ? 'any' : (name as AppProtocol);
  if (m[2] === undefined) {
    const def = DEFAULT_PORTS[name];
    if (def === undefined) return problem('MODEL_PORT', `"${input}" needs a port number`, `write "${name}:PORT", or "${name}:*" for every port`, input);
    return { port: { transport, from: def, to: def, protocol }, problems: [] };
  }
  if (m[2] === '*') return { port: { transport, from: 1, to: 65535, protocol }, problems: [] };
  const from = Number(m[2]);
  const to = m[3] === undefined ? from : Number(m[3]);
  for (const [n, digits] of [[from, m[2]], [to, m[3] ?? m[2]]] as const) {
    if (n < 1 || n > 65535) {
      return problem('MODEL_PORT', `port ${digits} in "${input}" is out of range`, 'ports are 1 to 65535; use "tcp:*" for every port', input);
    }
  }
  if (to < from) {
    return problem('MODEL_PORT_RANGE', `range "${input}" is reversed`, `write "${name}:${to}-${from}"`, input);
  }
  return { port: { transport, from, to, protocol }, problems: [] };
}

function problem(code: Problem['code'], message: string, hint: string, value: string) {
  return { problems: [{ code, message, hint, params: { value } }] };
}

/** The notation `parsePort` reads, for display. */
export function formatPort(p: PortSpec): string {
  if (p.transport === 'any') return 'any';
  const range = p.from === 1 && p.to === 65535 ? '*' : p.from === p.to ? String(p.from) : `${p.from}-${p.to}`;
  return `${p.protocol === 'any' ? p.transport : p.protocol}:${range}`;
}

export function comparePorts(a: PortSpec, b: PortSpec): number {
  return a.from - b.from || a.to - b.to || compareStrings(a.transport, b.transport) || compareStrings(a.protocol, b.protocol);
}
