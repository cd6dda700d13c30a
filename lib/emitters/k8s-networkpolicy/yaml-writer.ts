import { stringify } from 'yaml';
import { InternalError } from '../../model/diagnostic.js';
import { yamlComment } from './escape.js';

/**
 * Block-style YAML for JSON-like objects (maps, lists, strings, safe integers, booleans), in the layout the `yaml`
 * package writes with `indentSeq: true`: the same text for the same object, at about a microsecond per list item
 * instead of twenty (100,000 ipBlocks took 1.7 s through yaml's Document). Scalars that could mean anything but a
 * string in YAML 1.1 or 1.2 are quoted by the `yaml` package itself; only two shapes are written plain without asking
 * it: canonical CIDRs and dotted names that start with a letter, neither of which any YAML schema reads as a number,
 * boolean, null or timestamp.
 */

/** Comment lines to write above a list item (plain text; escaped here). */
export type ItemComments = ReadonlyMap<object, readonly string[]>;

const PLAIN_CIDR = /^[0-9a-f][0-9a-f.:]*\/[0-9]{1,3}$|^::[0-9a-f.:]*\/[0-9]{1,3}$/;
const PLAIN_NAME = /^[a-z][a-z0-9-]*(?:\.[a-z0-9-]+)+$/;

export class YamlWriter {
  private readonly quoted = new Map<string, string>();
  private readonly out: string[] = [];

  constructor(
    private readonly version: '1.1' | '1.2',
    private readonly comments: ItemComments = new Map(),
  ) {}

  /** Appends comment lines (`#` and the escaped text; an empty string is a bare `#`). */
  comment(lines: readonly string[], pad = ''): void {
    for (const l of lines) this.out.push(l === '' ? `${pad}#` : `${pad}# ${yamlComment(l)}`);
  }

  line(text: string): void {
    this.out.push(text);
  }

  /** Appends a map as a document body (or at `pad`). */
  map(obj: Readonly<Record<string, unknown>>, pad = ''): void {
    this.writeMap(obj, pad, pad);
  }

  /** Everything written so far, one line each, with a final newline. */
  text(): string {
    return this.out.length ? this.out.join('\n') + '\n' : '';
  }

  scalar(v: unknown): string {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new InternalError(`refusing to write the number ${v}`);
      return String(v);
    }
    if (typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') throw new InternalError(`not a scalar: ${typeof v}`);
    if (PLAIN_CIDR.test(v) || PLAIN_NAME.test(v)) return v;
    let q = this.quoted.get(v);
    if (q === undefined) {
      q = stringify(v, { version: this.version, lineWidth: 0 }).replace(/\n$/, '');
      if (q.includes('\n')) throw new InternalError(`a string that needs more than one line: ${JSON.stringify(v)}`);
      this.quoted.set(v, q);
    }
    return q;
  }

  private readonly keys = new Map<string, string>();
  private readonly deeper = new Map<string, string>();

  /** A key as written: keys repeat on every list item, so each is checked and quoted once. */
  private key(k: string): string {
    let q = this.keys.get(k);
    if (q === undefined) this.keys.set(k, (q = this.scalar(k)));
    return q;
  }

  /** `pad` and two more spaces, one string per depth rather than one per list item. */
  private indent(pad: string): string {
    let d = this.deeper.get(pad);
    if (d === undefined) this.deeper.set(pad, (d = pad + '  '));
    return d;
  }

  private writeMap(obj: Readonly<Record<string, unknown>>, pad: string, first: string): void {
    let lead = first;
    let any = false;
    for (const k of Object.keys(obj)) {
      const v = obj[k];
      if (v === undefined) continue;
      const key = `${lead}${this.key(k)}:`;
      lead = pad;
      any = true;
      if (v === null || typeof v !== 'object') this.out.push(`${key} ${this.scalar(v)}`);
      else if (Array.isArray(v)) {
        if (v.length === 0) this.out.push(`${key} []`);
        else {
          this.out.push(key);
          this.writeSeq(v, this.indent(pad));
        }
      } else if (isEmpty(v)) this.out.push(`${key} {}`);
      else {
        this.out.push(key);
        const inner = this.indent(pad);
        this.writeMap(v as Record<string, unknown>, inner, inner);
      }
    }
    if (!any) throw new InternalError('an empty map where a key was expected');
  }

  private writeSeq(items: readonly unknown[], pad: string): void {
    const inner = this.indent(pad);
    const dash = `${pad}- `;
    for (const item of items) {
      if (item !== null && typeof item === 'object') {
        const c = this.comments.get(item);
        if (c?.length) this.comment(c, pad);
      }
      if (item === null || typeof item !== 'object') this.out.push(dash + this.scalar(item));
      else if (Array.isArray(item)) throw new InternalError('a list inside a list');
      else if (isEmpty(item)) this.out.push(`${dash}{}`);
      else this.writeMap(item as Record<string, unknown>, inner, dash);
    }
  }
}

function isEmpty(o: object): boolean {
  for (const k in o) if ((o as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}
