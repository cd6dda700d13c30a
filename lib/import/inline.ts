/**
 * Inline markup of a cell or a line of prose, reduced to plain text that the token scanner reads: code spans keep
 * their content, emphasis and HTML tags go, `<br>` becomes a separator, links are kept (in cells, where a link to a
 * host names that host) or removed and counted (in prose, where a link points to another document), and placeholders
 * in any of the usual spellings (`<region>`, `{region}`, `{{ region }}`, `${region}`) become `{region}`.
 */

export type InlineMode = 'cell' | 'prose';

export interface Placeholder {
  /** As written, e.g. `<registry-name>`. */
  raw: string;
  /** The placeholder's own words, slugged: `registry-name`. The parameter name is made from it later. */
  slug: string;
}

export interface InlineText {
  /** Plain text, placeholders written `{slug}`. */
  text: string;
  placeholders: Placeholder[];
  /** Links removed in prose mode (their targets are other documents, not endpoints). */
  links: number;
}

const HTML_TAGS = new Set(['a', 'b', 'i', 'u', 's', 'em', 'strong', 'code', 'span', 'p', 'sup', 'sub', 'tt', 'kbd', 'del', 'ins', 'mark', 'small', 'div', 'td', 'th', 'tr', 'li', 'ul', 'ol', 'pre', 'var', 'samp', 'abbr', 'cite', 'q', 'font', 'nobr', 'wbr', 'hr', 'img', 'br']);
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#124': '|', vert: '|', '#42': '*', ast: '*', lowbar: '_', '#95': '_' };

/** A placeholder's words: lowercase, `_` and spaces to `-`. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function normalizeInline(input: string, mode: InlineMode): InlineText {
  let links = 0;
  // Code spans first: their content is literal. Markdown/AsciiDoc `x`, RST ``x``, AsciiDoc +x+ (only around a word).
  const parts: { text: string; code: boolean; glueLeft?: boolean; glueRight?: boolean }[] = [];
  const codeRe = /(`+)([\s\S]*?[^`])\1(?!`)|(?<![\w+])\+([^\s+][^+]*?)\+(?![\w+])/g;
  let last = 0;
  for (const m of input.matchAll(codeRe)) {
    const content = m[2] ?? m[3] ?? '';
    const end = m.index + m[0].length;
    // A code span glued to a name (`<region>`.handler.example.com, api.`{tenant}`.example.com) is part of it.
    const nameLike = /^[A-Za-z0-9.*_{}<>$-]+$/.test(content);
    parts.push({ text: input.slice(last, m.index), code: false });
    parts.push({
      text: content,
      code: true,
      glueLeft: nameLike && /[A-Za-z0-9}][.-]$/.test(input.slice(Math.max(0, m.index - 2), m.index)),
      glueRight: nameLike && /^[.-][A-Za-z0-9{<]/.test(input.slice(end, end + 2)),
    });
    last = end;
  }
  parts.push({ text: input.slice(last), code: false });

  const out = parts.map((p) => {
    // `\\*.quay.io` (AsciiDoc escapes the * that would start bold): no name has a backslash, so it is the *.
    if (p.code) return `${p.glueLeft ? '' : ' '}${decodeEntities(p.text).replace(/\\\*/g, '*')}${p.glueRight ? '' : ' '}`;
    let t = p.text;
    // RST roles :code:`x` were split above; drop the role name left behind.
    t = t.replace(/:[a-z][a-z-]*:$/, ' ');
    // Images go entirely; links are kept in cells (text and target) and removed from prose.
    t = t.replace(/!\[[^\]]*\]\([^)]*\)/g, () => {
      links++;
      return ' ';
    });
    t = t.replace(/\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)/g, (_m, text: string, url: string) => {
      // In a cell a link to a host names that host; a relative link (`x.md`, `../y`, `#z`) is a page of the same site.
      if (mode === 'cell') return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? ` ${text} ${url} ` : (links++, ` ${text} `);
      links++;
      return ' ';
    });
    t = t.replace(/\[([^\]]+)\]\[[^\]]*\]/g, (_m, text: string) => (mode === 'cell' ? ` ${text} ` : (links++, ' ')));
    // RST `text <url>`_ (the backticks were taken as a code span, so this is the AsciiDoc form) url[text], link:url[text].
    t = t.replace(/\b(?:link:)?((?:https?|ftp):\/\/[^\s[\]]+)\[([^\]]*)\]/g, (_m, url: string, text: string) => (mode === 'cell' ? ` ${text} ${url} ` : (links++, ' ')));
    t = t.replace(/<((?:https?|ftp):\/\/[^\s>]+)>/g, (_m, url: string) => (mode === 'cell' ? ` ${url} ` : (links++, ' ')));
    if (mode === 'prose') {
      // A bare URL with a path in prose is a page to read, not an endpoint to allow; one without a path names a host.
      t = t.replace(/\b(?:https?|ftp):\/\/[^\s/<>()[\]`'"]+\/[^\s<>()[\]`'"]*[^\s<>()[\]`'"/.,;:]/g, () => {
        links++;
        return ' ';
      });
    }
    // HTML: <br> separates values; other known tags go.
    t = t.replace(/<br\s*\/?>/gi, ' , ');
    t = t.replace(/<\/?([a-z][a-z0-9]*)\b[^<>]*>/gi, (m, name: string) => (HTML_TAGS.has(name.toLowerCase()) ? ' ' : m));
    t = t.replace(/<!--[\s\S]*?-->/g, ' ');
    t = decodeEntities(t);
    // Escapes of markup characters.
    t = t.replace(/\\([\\`*_{}[\]()#+\-.!|<>~])/g, '$1');
    // Emphasis: **x**, __x__, *x*, _x_ (not the "*." of a wildcard, not a_b inside a word).
    t = t.replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '$1').replace(/(?<![\w])__(?=\S)([\s\S]*?\S)__(?![\w])/g, '$1');
    t = t.replace(/(?<![\w*])\*(?=[^\s.*])([^*\n]*?[^\s*])\*(?![\w*.])/g, '$1').replace(/(?<![\w])_(?=\S)([^_\n]*?\S)_(?![\w])/g, '$1');
    return t;
  });
  const joined = out.join('');
  const placeholders: Placeholder[] = [];
  const text = joined.replace(PLACEHOLDER, (m, angle?: string, curly2?: string, curly?: string) => {
    const words = angle ?? curly2 ?? curly ?? '';
    if (angle !== undefined && HTML_TAGS.has(angle.toLowerCase())) return m;
    const s = slug(words);
    if (!s) return m;
    placeholders.push({ raw: m, slug: s });
    return `{${s}}`;
  });
  return { text, placeholders, links };
}

/**
 * `<words>`, `{{ words }}` or `${words}` / `{words}`: words are letters, digits, `_`, `-` and inner spaces, starting
 * with a letter (so `{% endhint %}`, `{}` and `<0.5` are not placeholders).
 */
const PLACEHOLDER = /<([A-Za-z][A-Za-z0-9_-]*(?: [A-Za-z0-9_-]+){0,3})>|\{\{\s*([A-Za-z][A-Za-z0-9_.-]*)\s*\}\}|\$?\{([A-Za-z][A-Za-z0-9_-]*(?: [A-Za-z0-9_-]+){0,3})\}/g;

function decodeEntities(t: string): string {
  return t.replace(/&([a-z]+|#[0-9]+);/gi, (m, name: string) => {
    const known = ENTITIES[name.toLowerCase()];
    if (known !== undefined) return known;
    if (name.startsWith('#')) {
      const n = Number(name.slice(1));
      return n > 31 && n < 0x110000 ? String.fromCodePoint(n) : m;
    }
    return m;
  });
}
