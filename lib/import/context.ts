/** What every reading stage shares: the context a block is read in, plain text of markup, endpoint keys. */
import type { Direction } from '../model/requirement-set.js';
import type { YamlEndpoint } from './draft.js';

export interface Context {
  /** Heading path below the title, joined with " > " (or the title when there is nothing below it). */
  section?: string;
  scenario?: string;
  direction?: Direction;
}

/** Plain text of a heading or cell for display (markup and placeholders' braces as the document wrote them). */
export function plain(text: string): string {
  return text
    .replace(/\s*\{#[\w-]+\}\s*$/, '')
    .replace(/\*\*|__|`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

export function endpointKey(e: YamlEndpoint): string {
  if (typeof e === 'string') return e.toLowerCase();
  if ('host' in e) return `.${e.host}`;
  if ('serviceTag' in e) return e.region ? `${e.serviceTag}.${e.region}` : e.serviceTag;
  return `group:${e.group}`;
}

export function describe(e: YamlEndpoint): string {
  return endpointKey(e);
}
