import type { ResolvedEndpoint } from './resolved.js';
import type { Provenance } from './requirement-set.js';

/** An endpoint as a reader would write it: `*.example.com`, `example.com and *.example.com`, `10.0.0.0/8`, `AzureContainerRegistry.eastus`. */
export function describeEndpoint(e: ResolvedEndpoint): string {
  switch (e.kind) {
    case 'host': {
      const path = e.path ?? '';
      if (e.match === 'label-wildcard') return `${e.label}.${e.name}${path}`;
      return e.match === 'exact' ? e.name + path : e.match === 'subdomains' ? `*.${e.name}${path}` : `${e.name}${path} and *.${e.name}${path}`;
    }
    case 'cidr':
      return e.cidr;
    case 'service-tag':
      return e.resolvedName ?? (e.region ? `${e.tag}.${e.region}` : e.tag);
    case 'group':
      return e.cidrs ? `${e.title} (${e.cidrs.join(',')})` : e.title;
  }
}

/** `document:line` or `document, section`, for one provenance. */
export function describeProvenance(p: Provenance): string {
  return p.line !== undefined ? `${p.document}:${p.line}` : p.section ? `${p.document}, ${p.section}` : p.document;
}
