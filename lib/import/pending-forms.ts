/**
 * Host forms vendor documents use that the model cannot express yet: a `*` inside the leftmost label
 * (`azgn*.servicebus.windows.net`, `*gallerycdn.vsassets.io`) and a host with a path (`www.microsoft.com/pkiops/certs`).
 * Until the model has them, such an entry is not a rule: the draft keeps it as a `review:` note that names the text
 * and says why, so nothing is dropped without a word and nothing is widened behind the reader's back.
 */

/** A `*` inside the leftmost label, not the whole label: `azgn*.x.net`, `*eh.x.net`, `collector*.x.com`. */
export function isPartialLabelWildcard(name: string): boolean {
  const first = name.split('.')[0] ?? '';
  return name.includes('.') && first.includes('*') && first !== '*' && /^[a-z0-9*-]+$/i.test(first) && !name.slice(first.length).includes('*');
}

export function partialLabelNote(raw: string): string {
  return `review: "${raw}" has a * inside its first label (part of a label, not a whole one): not a rule yet, since the model has no form for it; not widened to *.${raw.slice(raw.indexOf('.') + 1)} without a word: add the wider or the exact names by hand`;
}

export function hostPathNote(raw: string, host: string, path: string): string {
  return `review: "${raw}" names a path (${path}) on ${host}: not a rule yet, since the model matches host names, not paths; allowing all of ${host} would be wider than the document asks: add it by hand if that is acceptable`;
}
