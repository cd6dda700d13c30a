// An example third-party target for fwgen: one CSV row per allowed destination and port, for an audit
// spreadsheet. It uses nothing of fwgen but the Emitter interface, so it can live in its own package.
//
//   fwgen emit --emitter ./examples/plugin-csv/csv-emitter.js --catalog mcr --target csv
//
// The core applies the fidelity table below before `emit` runs: what a CSV cannot say is dropped with a
// diagnostic, and the names of the vendor's service tags are kept as they are.

const exact = { level: 'exact' };

/** RFC 4180 field: quoted, quotes doubled; a leading = + - @ is prefixed so a spreadsheet never runs it. */
function field(value) {
  const text = String(value).replace(/[\r\n]+/g, ' ');
  const safe = /^[=+\-@\t]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

function describe(e) {
  if (e.kind === 'host') return e.match === 'exact' ? e.name : e.match === 'subdomains' ? `*.${e.name}` : `${e.name} and *.${e.name}`;
  if (e.kind === 'cidr') return e.cidr;
  if (e.kind === 'service-tag') return e.resolvedName ?? (e.region ? `${e.tag}.${e.region}` : e.tag);
  return e.cidrs ? e.cidrs.join(' ') : e.title;
}

function port(p) {
  if (p.transport === 'any') return 'any';
  return `${p.protocol === 'any' ? p.transport : p.protocol}:${p.from === p.to ? p.from : `${p.from}-${p.to}`}`;
}

/** @type {import('fwgen').Emitter} */
const csv = {
  id: 'csv',
  describe: 'CSV of allowed flows for review (example plugin)',
  defaultFile: 'flows.csv',
  fidelity: {
    'host-exact': exact,
    'host-subdomains': exact,
    'host-apex-and-subdomains': exact,
    cidr: exact,
    'service-tag': exact,
    'group-destination': exact,
    'group-destination-unbound': exact,
    'source-cidr': exact,
    'source-service-tag': exact,
    'source-group': exact,
    'source-group-unbound': exact,
    'port-http': exact,
    'port-https': exact,
    'port-tcp': exact,
    'port-ssh': exact,
    'port-udp': exact,
    'all-traffic': exact,
    outbound: exact,
    inbound: exact,
    internal: exact,
  },
  emit(set) {
    const rows = [['requirement', 'direction', 'source', 'destination', 'port', 'provenance'].map(field).join(',')];
    for (const r of set.requirements) {
      const source = r.sources?.length ? r.sources.map(describe).join(' ') : '*';
      for (const d of r.destinations) {
        const provenance = d.provenance.map((p) => `${p.document}${p.line ? `:${p.line}` : ''}`).join('; ');
        for (const p of d.ports) rows.push([r.id, r.direction, source, describe(d.endpoint), port(p), provenance].map(field).join(','));
      }
    }
    return { files: [{ path: 'flows.csv', contents: rows.join('\n') + '\n' }], diagnostics: [] };
  },
};

export default csv;
