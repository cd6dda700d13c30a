/** Code-unit order, independent of locale, so sorted output is the same on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Host names in DNS order: by labels from the right, so `a.example.com` sits beside `example.com`. */
export function compareHosts(a: string, b: string): number {
  return compareStrings(a.split('.').reverse().join('.'), b.split('.').reverse().join('.'));
}
