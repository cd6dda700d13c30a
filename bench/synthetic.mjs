// Synthetic requirement sets for the scaling benchmarks (see bench/README.md, "Scaling").
//
// `syntheticYaml(kind, n)` writes a requirement file with exactly `n` destinations, deterministic for given
// arguments, in the shape vendor documents have: many requirements (table rows) of a few destinations each,
// rather than one requirement holding everything. Sizes of rows and their port lists cycle, so the emitters see
// requirements with one and with several port groups.
//
//   kind 'names': host names only, for name-matching targets (squid). About 60% exact names
//                 (`api-17.svc-3.vendor.example`), 25% `*.` wildcards (`"*.data-4.svc-3.vendor.example"`) and 15%
//                 apex-and-subdomains (`{ host: cdn-5.svc-3.vendor.example, match: apex-and-subdomains }`). Every
//                 name is distinct and none lies under another's wildcard, so all of them reach the output.
//   kind 'cidrs': IPv4 and IPv6 prefixes only, for address-matching targets (nftables, iptables). About 80% IPv4
//                 (/32, /28 and /24, spaced so that neighbours do not merge), 20% IPv6 (/64, /128). Aggregation
//                 leaves every prefix as it is, so the set elements equal the destinations.
//
// Ports: `mixed` (default) cycles HTTPS, HTTP+HTTPS, TCP ranges and a bare TCP port; `web` cycles HTTP and HTTPS
// ports only, for targets that match names only on web traffic (Azure Firewall application rules drop a name on a
// TCP range), so that every name still reaches the output. `shape: 'one'` is always https:443.

/** Port lists, cycled by requirement: https only, http+https, a TCP range, https plus an AMQP range, https plus Kafka. */
const PORTS = {
  mixed: [['https:443'], ['http:80', 'https:443'], ['tcp:8000-8080'], ['https:443', 'tcp:5671-5672'], ['https:443', 'tcp:9093']],
  /** The same rhythm with web ports only: https, http+https, https on 8443, http on 8080 with https, https. */
  web: [['https:443'], ['http:80', 'https:443'], ['https:8443'], ['http:8080', 'https:443'], ['https:443']],
};

/** Destinations per requirement, cycled: mostly a handful, now and then a larger row. */
const ROW_SIZES = [3, 8, 1, 12, 5, 20, 2, 9];

function hostDestination(i) {
  // i is the destination's global index; the names are spread over "services" of 50 names each.
  const svc = Math.floor(i / 50);
  const slot = i % 20;
  if (slot < 12) return `api-${i}.svc-${svc}.vendor.example`;
  if (slot < 17) return `"*.data-${i}.svc-${svc}.vendor.example"`;
  return `{ host: cdn-${i}.svc-${svc}.vendor.example, match: apex-and-subdomains }`;
}

function cidrDestination(i) {
  const slot = i % 10;
  if (slot < 8) {
    // IPv4: index k of the IPv4 prefixes gets its own /24 (k < 2^16 per 10.x, then 11.x, ...), so none touch.
    const k = Math.floor(i / 10) * 8 + slot;
    const a = 10 + (k >> 16);
    const b = (k >> 8) & 255;
    const c = k & 255;
    const shape = k % 3;
    if (shape === 0) return `${a}.${b}.${c}.17/32`;
    if (shape === 1) return `${a}.${b}.${c}.64/28`;
    return `${a}.${b}.${c}.0/24`;
  }
  const k = Math.floor(i / 10) * 2 + (slot - 8);
  const hex = k.toString(16);
  return k % 2 === 0 ? `"2001:db8:${hex}::/64"` : `"2001:db8:ffff:${hex}::5/128"`;
}

/**
 * A requirement file (YAML text) with exactly `n` destinations.
 * @param {'names' | 'cidrs'} kind
 * @param {number} n
 * @param {'rows' | 'one'} shape `rows` (default): rows of ROW_SIZES destinations; `one`: a single requirement
 *   holding all `n` destinations on https:443 (a generated allowlist pasted as one row), which shows costs that grow
 *   with the size of one requirement rather than with the whole set.
 * @param {'mixed' | 'web'} ports the port lists the rows cycle through (see PORTS)
 * @returns {{ text: string, requirements: number, destinations: number }}
 */
export function syntheticYaml(kind, n, shape = 'rows', ports = 'mixed') {
  const portLists = PORTS[ports];
  if (!portLists) throw new Error(`unknown port lists ${ports}`);
  const dest = kind === 'names' ? hostDestination : cidrDestination;
  const lines = [
    `id: synthetic-${kind}-${n}`,
    `title: Synthetic ${kind} requirements (${n} destinations)`,
    'vendor: fwgen bench',
    'source: { document: bench/synthetic.mjs }',
    'requirements:',
  ];
  let i = 0;
  let r = 0;
  while (i < n) {
    const size = shape === 'one' ? n : Math.min(ROW_SIZES[r % ROW_SIZES.length], n - i);
    const dests = [];
    for (let k = 0; k < size; k++) dests.push(dest(i + k));
    lines.push(
      `  - id: row-${r}`,
      `    destinations: [${dests.join(', ')}]`,
      `    ports: [${shape === 'one' ? 'https:443' : portLists[r % portLists.length].join(', ')}]`,
      `    purpose: Synthetic row ${r}`,
      `    provenance: { line: ${r + 1}, row: ${r + 1}, text: "| row ${r} | ${size} destinations |" }`,
    );
    i += size;
    r++;
  }
  return { text: lines.join('\n') + '\n', requirements: r, destinations: n };
}

// `node bench/synthetic.mjs names 1000 [rows|one] [mixed|web] > file.yaml` writes one, for a look or for `fwgen emit`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [kind = 'names', n = '1000', shape = 'rows', ports = 'mixed'] = process.argv.slice(2);
  if ((kind !== 'names' && kind !== 'cidrs') || (shape !== 'rows' && shape !== 'one') || !(ports in PORTS)) throw new Error('usage: node bench/synthetic.mjs names|cidrs N [rows|one] [mixed|web]');
  process.stdout.write(syntheticYaml(kind, Number(n), shape, ports).text);
}
