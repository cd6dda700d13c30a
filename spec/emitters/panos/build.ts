/** Helpers for the PAN-OS specs: a resolved set built by hand, the emitter called directly, and output readers. */
import { expect } from 'chai';
import panos from '../../../lib/emitters/panos/index.js';
import type { EmitterOptions } from '../../../lib/emit/emitter.js';
import type { ResolvedEndpoint, ResolvedRequirementSet } from '../../../lib/model/resolved.js';
import { parseVsys, type Entry } from './check.js';

export function defaultOptions(over: EmitterOptions = {}): EmitterOptions {
  return { ...Object.fromEntries(Object.entries(panos.options!).map(([k, v]) => [k, v.default])), ...over };
}

const provenance = { document: 'r.md', line: 1 };
const span0 = { file: 'r.yaml', line: 1, column: 1 };

/** One outbound requirement to these endpoints on tcp/443, resolved as the core hands it over. */
export function oneRequirement(endpoints: ResolvedEndpoint[], sources?: ResolvedEndpoint[]): ResolvedRequirementSet {
  return {
    sets: [{ id: 'r', title: 'R', source: { document: 'r.md' }, file: 'r.yaml', parameters: {}, options: {} }],
    requirements: [
      {
        id: 'r/big',
        set: 'r',
        direction: 'outbound',
        ...(sources ? { sources } : {}),
        destinations: endpoints.map((endpoint) => ({ endpoint, ports: [{ transport: 'tcp', from: 443, to: 443 }], provenance: [provenance], span: span0 })),
        alternatives: [],
        provenance,
        span: span0,
      },
    ],
  };
}

export function emitDirect(set: ResolvedRequirementSet, over: EmitterOptions = {}) {
  return panos.emit(set, defaultOptions(over), { version: '0', header: ['test'], fidelity: [] });
}

/** The address objects a rule field reaches, following groups (what the rule matches, object by object). */
export function objectsOf(xml: string, names: readonly string[]): Entry[] {
  const v = parseVsys(xml).entry;
  const addresses = new Map((v.address?.entry ?? []).map((e) => [e['@_name'], e]));
  const groups = new Map((v['address-group']?.entry ?? []).map((e) => [e['@_name'], e]));
  const out: Entry[] = [];
  const walk = (n: string) => {
    const a = addresses.get(n);
    if (a) out.push(a);
    else for (const m of (groups.get(n)!.static as { member: string[] }).member) walk(m);
  };
  names.forEach(walk);
  return out;
}

/** The files of the External Dynamic Lists the document names, by URL (each URL ends in the file's name). */
export function externalListFiles(xml: string, files: readonly { path: string; contents: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of parseVsys(xml).entry['external-list']?.entry ?? []) {
    const url = String((e.type as { ip: { url: string } }).ip.url);
    const file = files.find((f) => f.path === `edl/${url.slice(url.lastIndexOf('/') + 1)}`);
    if (file) out[url] = file.contents;
  }
  expect(Object.keys(out).length + 1, 'one file per external list, and panos.xml').to.equal(files.length);
  return out;
}

