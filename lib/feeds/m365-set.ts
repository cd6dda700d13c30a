import { Document, isMap, isSeq } from 'yaml';
import type { Diagnostic } from '../model/diagnostic.js';
import { checkFqdn } from '../model/fqdn.js';
import { parseHostForm } from '../model/host-form.js';
import { aggregatePrefixes } from '../model/aggregate.js';
import { pushAll } from '../model/array.js';
import { commentText } from '../import/write-yaml.js';
import type { M365Entry, PortList } from './m365.js';

export interface M365Options {
  /** The file as named in messages and in the set's header. */
  file: string;
  id?: string;
  /** `latest` of the version web method, e.g. 2025103000. */
  version?: string;
  instance?: string;
  /** Kept service areas (Exchange, SharePoint, Skype, Common), compared without case; absent: all. */
  serviceAreas?: readonly string[];
  categories?: readonly string[];
  requiredOnly?: boolean;
}

/** What a conversion read and wrote, for the summary line and the README's table. */
export interface M365Counts {
  entries: number;
  kept: number;
  requirements: number;
  names: number;
  /** Names with a `*` inside a label, which the model cannot express: kept as review: comments. */
  reviewed: number;
  prefixes: number;
  /** The same prefixes, aggregated across every kept entry (what an address target writes at most). */
  aggregated: number;
}

export interface M365Result {
  yaml: string;
  counts: M365Counts;
  /** FEED_REVIEW warnings (each review: comment), with the JSON path of the name in the feed file. */
  diagnostics: Diagnostic[];
}

/**
 * A requirement set from the Microsoft 365 endpoints: one requirement per kept entry, its names as destinations and
 * its IP ranges as `alternatives:` (the address form of the same need, for targets that match addresses only); an
 * entry with ranges and no names has the ranges as destinations. Ports as the entry gives them: 80 as http:80, 443
 * as https:443, others as tcp: and udp:. Provenance names the feed version and the entry id. A name with a `*` inside
 * it (autodiscover.*.onmicrosoft.com) is not a host name the model can express: it stays in the file as a visible
 * `review:` comment on its requirement and a warning, never silently dropped.
 */
export function m365ToRequirementSet(entries: readonly M365Entry[], o: M365Options): M365Result {
  const instance = o.instance ?? 'Worldwide';
  const version = o.version ?? 'not given';
  const document = `Microsoft 365 endpoints, ${instance}, version ${version}`;
  const areas = o.serviceAreas?.map((a) => a.toLowerCase());
  const categories = o.categories?.map((c) => c.toLowerCase());
  const kept = entries.filter((e) => (!areas || areas.includes(e.serviceArea.toLowerCase())) && (!categories || categories.includes(e.category.toLowerCase())) && (!o.requiredOnly || e.required));
  const diagnostics: Diagnostic[] = [];
  const requirements: Record<string, unknown>[] = [];
  const reviews: string[][] = [];
  const skipped: string[] = [];
  let names = 0;
  let reviewed = 0;
  const allIps: string[] = [];
  for (const e of kept) {
    const review: string[] = [];
    const hosts: string[] = [];
    e.urls.forEach((u, j) => {
      names++;
      const problem = hostProblem(u);
      if (problem === undefined) return void hosts.push(u);
      reviewed++;
      const why = problem.replace(/^"[^"]*" /, '');
      review.push(`"${u}" ${why}: the model cannot express it, so it is not imported; allow it by hand where the target can match it, or rely on the names and ranges above`);
      diagnostics.push({
        code: 'FEED_REVIEW',
        severity: 'warning',
        message: `entry ${e.id} (${e.serviceAreaDisplayName}): "${u}" ${why}; not imported, kept as a review: comment`,
        hint: 'a "*" may stand only in the leftmost label ("*.example.com", "azgn*.example.com"); check which names the entry means and add them by hand',
        span: { file: o.file, line: 1, col: 1 },
        params: { path: `$[${e.index}].urls[${j}]`, id: e.id, url: u },
      });
    });
    pushAll(allIps, e.ips);
    const ports = [...portSpecs(e.tcpPorts, 'tcp', hosts.length > 0), ...portSpecs(e.udpPorts, 'udp', false)];
    const destinations = hosts.length ? hosts : e.ips;
    const id = `${slug(e.serviceArea)}-${e.id}`;
    if (destinations.length === 0 || ports.length === 0) {
      skipped.push(`entry ${e.id} (${e.serviceAreaDisplayName}): ${destinations.length === 0 ? 'no name or range the model can express' : 'no ports'}${review.length ? `; ${review.length} name${review.length === 1 ? '' : 's'} to review` : ''}`);
      for (const r of review) skipped.push(`  review: ${r}`);
      continue;
    }
    requirements.push({
      id,
      destinations,
      ports,
      purpose: `${e.serviceAreaDisplayName}: category ${e.category}, ${e.required ? 'required' : 'not required'}${e.expressRoute ? ', routable over ExpressRoute' : ''}`,
      ...(hosts.length && e.ips.length ? { alternatives: e.ips } : {}),
      provenance: { document, section: e.serviceAreaDisplayName, row: e.id, ...(e.notes ? { text: e.notes } : {}) },
    });
    reviews.push(review);
  }
  const filters = [areas ? `service areas ${o.serviceAreas!.join(', ')}` : '', categories ? `categories ${o.categories!.join(', ')}` : '', o.requiredOnly ? 'required only' : ''].filter(Boolean);
  const header = [
    `Requirement set written by \`fwgen feed m365\` from ${o.file}: ${document}.`,
    `${kept.length} of ${entries.length} entries${filters.length ? ` (${filters.join('; ')})` : ''}, ${requirements.length} requirement${requirements.length === 1 ? '' : 's'}: names as destinations, IP ranges as alternatives.`,
    `${names} names, ${reviewed} not expressible (each a "review:" comment below and a warning); ${allIps.length} IP ranges, ${aggregatePrefixes(allIps).length} after aggregation.`,
    ...(skipped.length ? ['', 'Entries not written as requirements:', ...skipped.map((s) => `- ${s}`)] : []),
  ];
  const obj = {
    id: o.id ?? 'm365',
    title: `Microsoft 365 endpoints (${instance}, version ${version})`,
    vendor: 'Microsoft',
    source: { document, url: `https://endpoints.office.com/endpoints/${instance.toLowerCase()}` },
    requirements,
  };
  const doc = new Document(obj, { aliasDuplicateObjects: false });
  doc.commentBefore = header.map((l) => (l === '' ? '' : ` ${commentText(l)}`)).join('\n');
  const seq = doc.get('requirements', true);
  if (isSeq(seq)) {
    seq.items.forEach((item, i) => {
      if (!isMap(item)) return;
      for (const key of ['destinations', 'ports', 'alternatives']) {
        const list = item.get(key, true);
        if (isSeq(list)) list.flow = true;
      }
      const lines = reviews[i]!.map((r) => ` review: ${commentText(r)}`);
      if (lines.length) item.commentBefore = lines.join('\n');
    });
  }
  const yaml = doc.toString({ lineWidth: 0, flowCollectionPadding: false, indentSeq: true });
  return {
    yaml,
    counts: { entries: entries.length, kept: kept.length, requirements: requirements.length, names, reviewed, prefixes: allIps.length, aggregated: aggregatePrefixes(allIps).length },
    diagnostics,
  };
}

/**
 * Why a name of the feed is not a host the model can express, or undefined: the loader's own forms (a plain name,
 * `*.name`, one `*` in the leftmost label), so what this writes is what the loader reads.
 */
function hostProblem(url: string): string | undefined {
  const form = parseHostForm(url);
  if (form.problems.length || form.path !== undefined) return form.problems[0]?.message ?? `"${url}" has a path`;
  return checkFqdn(form.label !== undefined ? form.host : url).problems[0]?.message;
}

function portSpecs(list: PortList, transport: 'tcp' | 'udp', names: boolean): string[] {
  return list.map(([from, to]) => {
    if (transport === 'tcp' && from === to && names && (from === 80 || from === 443)) return from === 80 ? 'http:80' : 'https:443';
    return `${transport}:${from === to ? from : `${from}-${to}`}`;
  });
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'entry';
}
