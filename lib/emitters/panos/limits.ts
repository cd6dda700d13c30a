import type { Diagnostic } from '../../model/diagnostic.js';
import type { EmitterOptions } from '../../emit/emitter.js';
import type { Config } from './config.js';

/**
 * Capacities of the platforms fwgen knows by name, from Palo Alto Networks' "Maximum Limits Based on Memory" for the
 * VM-Series (PAN-OS 11.1 and later; see README.md for the source). Hardware models have their own numbers: read them
 * on the firewall with `show system state filter cfg.general.max*` and pass them with the `max-*` options.
 */
export interface PlatformLimits {
  addressObjects: number;
  addressGroups: number;
  fqdnObjects: number;
  /** IP entries over all External Dynamic Lists used in policy. */
  edlIps: number;
}

export const PLATFORMS = {
  'vm-tier1': { addressObjects: 10_000, addressGroups: 1_000, fqdnObjects: 2_000, edlIps: 50_000 },
  'vm-tier2': { addressObjects: 20_000, addressGroups: 2_500, fqdnObjects: 2_000, edlIps: 50_000 },
  'vm-tier3': { addressObjects: 40_000, addressGroups: 4_000, fqdnObjects: 2_000, edlIps: 50_000 },
  'vm-tier4': { addressObjects: 160_000, addressGroups: 80_000, fqdnObjects: 6_144, edlIps: 150_000 },
} as const satisfies Record<string, PlatformLimits>;

export type Platform = keyof typeof PLATFORMS;

/** Members of one static address group on every VM-Series tier (same source). */
export const GROUP_MEMBERS_MAX = 2_500;
/** External Dynamic Lists with distinct sources per firewall, on every model (same source, and the web interface help). */
export const EDL_LISTS_MAX = 30;

/** The limits in force: each `max-*` option that is not 0 replaces the platform's number. */
export function limitsFor(options: EmitterOptions): PlatformLimits & { platform: Platform } {
  const platform = String(options.platform) as Platform;
  const base = PLATFORMS[platform];
  const pick = (option: string, value: number) => (Number(options[option]) > 0 ? Number(options[option]) : value);
  return {
    platform,
    addressObjects: pick('max-address-objects', base.addressObjects),
    addressGroups: pick('max-address-groups', base.addressGroups),
    fqdnObjects: pick('max-fqdn-objects', base.fqdnObjects),
    edlIps: pick('edl-max-entries', base.edlIps),
  };
}

/**
 * Errors for counts past the platform's limits. A firewall refuses to commit more objects than it holds, and it
 * skips External Dynamic List entries past its capacity (allowing less than asked), so neither is written.
 */
export function checkLimits(c: Config, options: EmitterOptions): Diagnostic[] {
  const l = limitsFor(options);
  const out: Diagnostic[] = [];
  const on = (option: string) => (Number(options[option]) > 0 ? `--set ${option}=${Number(options[option])}` : `--set platform=${l.platform}`);
  const limit = (message: string, hint: string, params: Record<string, unknown>) => out.push({ code: 'EMIT_LIMIT', severity: 'error', message, hint, target: 'panos', params });
  const fqdn = c.addresses.filter((a) => a.fqdn !== undefined).length;
  const edlHint = c.externalLists.length ? '' : ', or write the long lists as External Dynamic Lists (--set address-lists=edl --set edl-url=URL)';
  if (c.addresses.length > l.addressObjects) {
    limit(
      `${c.addresses.length} address objects are more than ${l.addressObjects}, the most the platform holds (${on('max-address-objects')})`,
      `choose the platform with --set platform=NAME (${Object.keys(PLATFORMS).join(', ')}) or give its number with --set max-address-objects=N${edlHint}`,
      { limit: 'max-address-objects', count: c.addresses.length, max: l.addressObjects },
    );
  }
  if (fqdn > l.fqdnObjects) {
    limit(`${fqdn} FQDN address objects are more than ${l.fqdnObjects}, the most the platform holds (${on('max-fqdn-objects')})`, 'choose the platform with --set platform=NAME or give its number with --set max-fqdn-objects=N, or split the requirements over several firewalls', {
      limit: 'max-fqdn-objects',
      count: fqdn,
      max: l.fqdnObjects,
    });
  }
  if (c.groups.length > l.addressGroups) {
    limit(
      `${c.groups.length} address groups are more than ${l.addressGroups}, the most the platform holds (${on('max-address-groups')})`,
      `choose the platform with --set platform=NAME or give its number with --set max-address-groups=N; larger groups (--set group-members=N, up to the platform's members per group) make fewer${edlHint}`,
      { limit: 'max-address-groups', count: c.groups.length, max: l.addressGroups },
    );
  }
  const maxLists = Number(options['edl-max-lists']);
  if (c.externalLists.length > maxLists) {
    limit(
      `${c.externalLists.length} External Dynamic Lists are more than ${maxLists}, the most one firewall uses (--set edl-max-lists=${maxLists})`,
      'raise --set edl-min-entries=N so that short lists stay address objects, or split the requirements over several firewalls',
      { limit: 'edl-max-lists', count: c.externalLists.length, max: maxLists },
    );
  }
  let entries = 0;
  for (const x of c.externalLists) entries += x.entries.length;
  if (entries > l.edlIps) {
    limit(
      `the External Dynamic Lists hold ${entries} IP entries, more than ${l.edlIps}, the most the platform takes over all lists; it would skip the rest (${on('edl-max-entries')})`,
      'choose the platform with --set platform=NAME or give its number with --set edl-max-entries=N, or split the requirements over several firewalls',
      { limit: 'edl-max-entries', count: entries, max: l.edlIps },
    );
  }
  for (const x of c.externalLists) {
    if (x.url.length > URL_MAX) {
      limit(`the URL of External Dynamic List ${x.name} is ${x.url.length} characters, more than the ${URL_MAX} PAN-OS takes`, 'use a shorter --set edl-url', { limit: 'edl-url', count: x.url.length, max: URL_MAX });
    }
  }
  return out;
}

/** Longest EDL source URL (pan-os-codegen's external-dynamic-list spec: `url` length 0-255). */
const URL_MAX = 255;
