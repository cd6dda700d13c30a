import { readFileSync } from 'node:fs';
import { defaultServiceTagsFile } from '../service-tags/index.js';

let names: ReadonlySet<string> | undefined;

/**
 * Every service tag name of the Service Tags snapshot shipped with fwgen (`AzureContainerRegistry`,
 * `Storage.AustraliaCentral`, ...), so a document's CamelCase words are read as tags only when Azure has such a tag.
 * Read once; an unreadable snapshot leaves the set empty (tags are then found only by the words "service tag").
 */
export function serviceTagNames(): ReadonlySet<string> {
  if (names) return names;
  try {
    const data = JSON.parse(readFileSync(defaultServiceTagsFile(), 'utf8')) as { values?: { name?: unknown }[] };
    names = new Set((data.values ?? []).map((v) => v.name).filter((n): n is string => typeof n === 'string'));
  } catch {
    names = new Set();
  }
  return names;
}

let folded: ReadonlyMap<string, string> | undefined;

/** The snapshot's own spelling of a tag written in another case ("SQL" → "Sql"), if it has the tag. */
export function canonicalTagName(name: string): string | undefined {
  folded ??= new Map([...serviceTagNames()].map((n) => [n.toLowerCase(), n]));
  return folded.get(name.toLowerCase());
}
