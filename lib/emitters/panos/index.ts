import { writeXml, type XmlTree } from './xml.js';
import type { Emitter, EmitterOptions, FidelityTable } from '../../emit/emitter.js';
import { sortDiagnostics, type Diagnostic } from '../../model/diagnostic.js';
import { buildConfig, type Config } from './config.js';
import { EDL_LISTS_MAX, GROUP_MEMBERS_MAX, PLATFORMS, checkLimits } from './limits.js';
import { freeText } from './names.js';
import { capNotes } from '../../emit/text.js';

const exact = { level: 'exact' } as const;
const webOnly =
  'matched by a custom URL category (*.name/), which the firewall evaluates only for HTTP and TLS traffic (Host header, SNI, or the certificate when there is no SNI): other traffic to these names is not allowed';
const namesHint = 'list the exact names the vendor uses (FQDN objects), or use --target squid or azure-firewall for wildcard names';

function fidelity(options: EmitterOptions): FidelityTable {
  const unbound = { level: 'drop', note: 'an unbound endpoint group has no addresses for an address object', hint: 'bind it: --bind GROUP=CIDR,...' } as const;
  return {
    'host-exact': exact,
    'host-subdomains': { level: 'narrow', note: webOnly, hint: namesHint },
    'host-apex-and-subdomains': { level: 'narrow', note: `the name itself is an FQDN object; its subdomains are ${webOnly}`, hint: namesHint },
    'host-label-wildcard': {
      level: 'widen',
      note: 'a URL category wildcard must be a whole token (PAN-OS: "Wildcard characters must be the only character within a token"), so the wildcard label becomes *. and every subdomain of the rest is allowed',
      hint: 'list the exact names the vendor uses, or use --target squid or cilium, which match a partial label',
    },
    'host-path-http': { level: 'widen', note: 'an exact name is written as an FQDN address object, which matches addresses, not URL paths, so the whole host is allowed', hint: 'use --target squid to match the path of plain HTTP requests' },
    'host-path-tls': { level: 'widen', note: 'an exact name is written as an FQDN address object, and the path of HTTPS is inside TLS (a URL category sees it only with SSL decryption), so the whole host is allowed', hint: 'use --target squid to match the path of plain HTTP requests' },
    cidr: exact,
    'service-tag':
      options['service-tags'] === 'drop'
        ? { level: 'drop', note: 'service tags are not expanded (--set service-tags=drop)', hint: 'use --set service-tags=prefixes, or an External Dynamic List of the tag\'s prefixes' }
        : exact,
    'group-destination': exact,
    'group-destination-unbound': unbound,
    'source-cidr': exact,
    'source-service-tag':
      options['service-tags'] === 'drop'
        ? { level: 'drop', note: 'service tags are not expanded (--set service-tags=drop)', hint: 'use --set service-tags=prefixes' }
        : exact,
    'source-group': exact,
    'source-group-unbound': unbound,
    'port-http': exact,
    'port-https': exact,
    'port-tcp': exact,
    'port-ssh': exact,
    'port-udp': exact,
    'all-traffic': exact,
    outbound: exact,
    inbound: exact,
    internal: exact,
  };
}

/** An http(s) URL ending in `/`, without characters that would need quoting in a URL or XML. */
const EDL_URL = '^$|^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?/([A-Za-z0-9._~%!$&()*+,;=:@-]+/)*$';

/** PAN-OS names of zones, devices and vsys: letters, digits, `.`, `_`, `-` and spaces (zones: 31 characters). */
const ZONE = '^(?=.{1,31}$)[A-Za-z0-9][A-Za-z0-9._ -]*$';

/**
 * PAN-OS: one XML document holding the vsys subtree (addresses, address groups, services, custom URL categories,
 * security rules) under /config/devices/entry/vsys/entry, for `load config partial` or the XML API's `set`.
 */
const panos: Emitter = {
  id: 'panos',
  describe: 'PAN-OS XML: address objects, URL categories, services and security rules',
  defaultFile: 'panos.xml',
  fidelity,
  serviceTags: 'prefixes',
  options: {
    device: { type: 'string', default: 'localhost.localdomain', pattern: '^(?=.{1,63}$)[A-Za-z0-9][A-Za-z0-9._-]*$', describe: 'device entry name in /config/devices/entry' },
    vsys: { type: 'string', default: 'vsys1', pattern: '^(?=.{1,31}$)[A-Za-z0-9][A-Za-z0-9._-]*$', describe: 'virtual system entry name' },
    'from-zone': { type: 'string', default: 'trust', pattern: ZONE, describe: 'zone of the protected systems: the from zone of outbound rules, the to zone of inbound rules, both zones of internal rules' },
    'to-zone': { type: 'string', default: 'untrust', pattern: ZONE, describe: 'zone of the outside peers: the to zone of outbound rules, the from zone of inbound rules' },
    'name-prefix': { type: 'string', default: 'fwgen', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,11}$', describe: 'prefix of every object and rule name (12 characters at most)' },
    'service-tags': { type: 'string', choices: ['prefixes', 'drop'], default: 'prefixes', describe: 'service tags: prefixes (address objects and a group per tag, from the Service Tags file) or drop' },
    'ip-ranges': { type: 'boolean', default: true, describe: 'write a run of several adjacent prefixes as one ip-range object (fewer objects, the same addresses)' },
    'group-members': { type: 'integer', default: GROUP_MEMBERS_MAX, min: 2, max: 1_000_000, describe: `most members of one static address group (and one rule's source or destination); longer lists are split into several groups (PAN-OS: ${GROUP_MEMBERS_MAX})` },
    platform: { type: 'string', choices: Object.keys(PLATFORMS), default: 'vm-tier1', describe: 'the platform whose object limits apply: VM-Series memory tiers vm-tier1 to vm-tier4 (for hardware models, give the numbers with the max-* options)' },
    'max-address-objects': { type: 'integer', default: 0, min: 0, max: 10_000_000, describe: 'refuse to write more address objects than this (0: the platform\'s limit)' },
    'max-address-groups': { type: 'integer', default: 0, min: 0, max: 10_000_000, describe: 'refuse to write more address groups than this (0: the platform\'s limit)' },
    'max-fqdn-objects': { type: 'integer', default: 0, min: 0, max: 10_000_000, describe: 'refuse to write more FQDN address objects than this (0: the platform\'s limit)' },
    'address-lists': { type: 'string', choices: ['objects', 'edl'], default: 'objects', describe: 'objects: address objects in groups; edl: address lists of at least edl-min-entries prefixes as External Dynamic Lists (a text file each, which the firewall fetches from edl-url)' },
    'edl-url': { type: 'string', default: '', pattern: EDL_URL, describe: 'where the firewall fetches the External Dynamic List files: an http(s) URL ending in /, to which each file name is appended' },
    'edl-min-entries': { type: 'integer', default: 1, min: 1, max: 10_000_000, describe: 'with address-lists=edl: lists with fewer prefixes stay address objects' },
    'edl-recurring': { type: 'string', choices: ['five-minute', 'hourly', 'daily'], default: 'hourly', describe: 'how often the firewall fetches each External Dynamic List' },
    'edl-max-lists': { type: 'integer', default: EDL_LISTS_MAX, min: 1, max: 10_000, describe: `refuse to write more External Dynamic Lists than this (PAN-OS: ${EDL_LISTS_MAX} per firewall)` },
    'edl-max-entries': { type: 'integer', default: 0, min: 0, max: 100_000_000, describe: 'refuse to write more IP entries over all External Dynamic Lists than this (0: the platform\'s limit)' },
  },
  emit(set, options, context) {
    const edl = options['address-lists'] === 'edl';
    if (edl && !options['edl-url']) {
      const d: Diagnostic = { code: 'EMIT_OPTION', severity: 'error', message: '--set address-lists=edl needs --set edl-url: the URL the firewall fetches the lists from', hint: 'pass --set edl-url=https://lists.example.com/fwgen/ (the folder where you publish the edl/ files)', target: 'panos', params: { option: 'edl-url' } };
      return { files: [], diagnostics: [d] };
    }
    const built = buildConfig(set, {
      fromZone: String(options['from-zone']),
      toZone: String(options['to-zone']),
      prefix: String(options['name-prefix']),
      groupMembers: Number(options['group-members']),
      ipRanges: options['ip-ranges'] === true,
      ...(edl ? { edl: { url: String(options['edl-url']), minEntries: Number(options['edl-min-entries']), recurring: options['edl-recurring'] as 'five-minute' | 'hourly' | 'daily' } } : {}),
    });
    const diagnostics = [...built.diagnostics, ...checkLimits(built, options)];
    if (diagnostics.some((d) => d.severity === 'error')) return { files: [], diagnostics };
    const notes = capNotes(sortDiagnostics([...context.fidelity, ...built.diagnostics]).map((d) => `${d.severity}: ${d.message}`));
    const comment = [...context.header, ...(notes.length ? ['', 'Fidelity notes:', ...notes.map((n) => `  ${n}`)] : [])];
    const xml = render(built, String(options.device), String(options.vsys), comment);
    const lists = built.externalLists.map((l) => ({ path: l.file, contents: `${l.entries.join('\n')}\n` }));
    return { files: [{ path: 'panos.xml', contents: xml }, ...lists], diagnostics };
  },
};

export default panos;

const members = (xs: readonly string[]) => ({ member: [...xs] });

/** The document, built as objects and serialised by writeXml, which escapes every text and attribute. */
function render(c: Config, device: string, vsys: string, comment: string[]): string {
  const entry: XmlTree = {
    '@_name': vsys,
    address: { entry: c.addresses.map((a): XmlTree => (a.fqdn ? { '@_name': a.name, fqdn: a.fqdn } : a.ipRange ? { '@_name': a.name, 'ip-range': a.ipRange } : { '@_name': a.name, 'ip-netmask': a.ipNetmask })) },
    'address-group': { entry: c.groups.map((g) => ({ '@_name': g.name, static: members(g.members), description: g.description })) },
    'external-list': { entry: c.externalLists.map((l) => ({ '@_name': l.name, type: { ip: { recurring: { [l.recurring]: '' }, description: l.description, url: l.url } } })) },
    service: { entry: c.services.map((s) => ({ '@_name': s.name, protocol: { [s.protocol]: { port: s.port } } })) },
    profiles: { 'custom-url-category': { entry: c.urlCategories.map((u) => ({ '@_name': u.name, description: u.description, list: members(u.list), type: 'URL List' })) } },
    rulebase: {
      security: {
        rules: {
          entry: c.rules.map((r) => ({
            '@_name': r.name,
            to: members(r.to),
            from: members(r.from),
            source: members(r.source),
            destination: members(r.destination),
            'source-user': members(['any']),
            category: members(r.category),
            application: members(['any']),
            service: members(r.service),
            action: 'allow',
            'rule-type': 'universal',
            description: r.description,
          })),
        },
      },
    },
  };
  for (const k of ['address', 'address-group', 'external-list', 'service'] as const) if (!(entry[k] as { entry: unknown[] }).entry.length) delete entry[k];
  if (!c.urlCategories.length) delete entry.profiles;
  const doc: XmlTree = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    '#comment': ` ${comment.map((l) => freeText(l, 4000)).join('\n     ')} `,
    config: { devices: { entry: { '@_name': device, vsys: { entry } } } },
  };
  // writeXml ends every element with a line end, so the document ends with one.
  return writeXml(doc);
}
