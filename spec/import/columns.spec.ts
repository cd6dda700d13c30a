// Column roles decided from cell content, the header only breaking ties; and the host forms the model cannot
// express yet (a * inside the first label, a host with a path) kept as review notes, never as rules.
import { expect } from 'chai';
import { parse } from 'yaml';
import { importDocument } from '../../lib/import/index.js';
import { columnContents, tableRoles } from '../../lib/import/columns.js';
import type { Table } from '../../lib/import/blocks.js';

function table(header: string[], rows: string[][]): Table {
  return {
    kind: 'markdown',
    line: 1,
    endLine: rows.length + 2,
    header,
    rows: rows.map((cells, i) => ({ cells, line: i + 3, endLine: i + 3, text: `| ${cells.join(' | ')} |`, notes: [] })),
  };
}

function draft(text: string) {
  const r = importDocument(text, { file: 'doc.md' });
  const data = r.yaml ? (parse(r.yaml) as { requirements: { destinations: unknown[]; ports: string[] }[] }) : { requirements: [] };
  return { r, data, destinations: data.requirements.flatMap((x) => x.destinations) };
}

describe('import: column roles from cell content', () => {
  const arc = table(
    ['Agent resource', 'Description', 'When required', 'Endpoint used with private link'],
    [
      ['`aka.ms`', 'Used to resolve the download script', 'At installation time, only', 'Public'],
      ['`*.his.arc.azure.com`', 'Metadata and hybrid identity services', 'Always', 'Private'],
      ['`management.azure.com`', 'Azure Resource Manager', 'When connecting', 'Public, unless a private link is also configured'],
    ],
  );

  it('counts names, ports and tags per column', () => {
    const c = columnContents(arc);
    expect(c.map((x) => x.names)).to.deep.equal([3, 0, 0, 0]);
    expect(c[0]!.cells).to.equal(3);
  });

  it('takes the column of names over a column headed like a destination that holds none, and says why', () => {
    const reading = tableRoles(arc);
    expect(reading.roles[0]).to.equal('destination');
    expect(reading.roles[3]).to.equal('purpose');
    expect(reading.byContent).to.equal(true);
    expect(reading.notes.join('\n')).to.match(/column 4 \("Endpoint used with private link"\) is headed like a destination but holds names in 0 of 3 cells/);
    expect(reading.notes.join('\n')).to.match(/column 1 \("Agent resource"\) holds names in 3 of 3 cells: read as the destinations/);
  });

  it('imports every row of such a table, with the note in the draft', () => {
    const doc = ['| Agent resource | Description | Endpoint used with private link |', '|--|--|--|', '| `aka.ms` | Download script | Public |', '| `*.his.arc.azure.com` | Metadata | Private |', ''].join('\n');
    const { r, destinations } = draft(doc);
    expect(destinations).to.deep.equal(['aka.ms', '*.his.arc.azure.com']);
    expect(r.yaml).to.match(/# review: column 3 \("Endpoint used with private link"\) is headed like a destination but holds names in 0 of 2 cells/);
  });

  it('keeps a destination column its header names when its cells are names or machines', () => {
    expect(tableRoles(table(['Destination', 'Port'], [['`a.example.com`', '443']])).notes).to.deep.equal([]);
    const groups = tableRoles(table(['Source', 'Destination', 'Port'], [['203.0.113.0/24', 'Relay servers', '7000']]));
    expect(groups.roles).to.deep.equal(['source', 'destination', 'port']);
    expect(groups.notes).to.deep.equal([]);
  });

  it('drops a second destination-headed column without names when another holds them', () => {
    const reading = tableRoles(table(['Destination endpoint', 'Endpoint type', 'Port'], [['`a.example.com`', 'Public', '443'], ['`b.example.com`', 'Private', '443']]));
    expect(reading.roles).to.deep.equal(['destination', 'purpose', 'port']);
    expect(reading.notes[0]).to.match(/column 2 \("Endpoint type"\) is headed like a destination but holds names in 0 of 2 cells/);
  });
});

describe('import: partial-label wildcards and hosts with a path', () => {
  const doc = ['| Host | Port |', '|--|--|', '| `azgn*.servicebus.windows.net` | 443 |', '| `www.microsoft.com/pkiops/certs` | 80 |', '| `https://login.example.com/oauth?x=1` | 443 |', ''].join('\n');

  it('writes a * inside the first label and a path in the model\'s forms, checked by the loader', () => {
    const { destinations } = draft(doc);
    expect(destinations).to.deep.equal(['azgn*.servicebus.windows.net', 'www.microsoft.com/pkiops/certs']);
  });

  it('makes no rule of a path the model cannot take, and says why in a review: note', () => {
    const { r } = draft(doc);
    expect(r.yaml).to.match(/# - line 5: review: row 3 \(line 5\): "https:\/\/login\.example\.com\/oauth\?x=1": the path of .* contains "\?"/);
  });

  it('refuses a * that is not in the first label', () => {
    const { destinations, r } = draft('| Host | Port |\n|--|--|\n| `a.b*c.example.com` | 443 |\n| `ok.example.com` | 443 |\n');
    expect(destinations).to.deep.equal(['ok.example.com']);
    expect(r.diagnostics.map((d) => d.message).join('\n')).to.include('"a.b*c.example.com" has a "*" that is not a whole leading label');
  });

  it('reads a partial-label wildcard in prose, and a path only where a list item is about it', () => {
    expect(draft('Allow access to `*gallerycdn.vsassets.io` on port 443.\n').destinations).to.deep.equal(['*gallerycdn.vsassets.io']);
    const list = draft('Telemetry needs:\n\n- **`https://console.example.com/api/ingress`**: used by the insights operator.\n- See https://docs.example.com/page/about for more.\n');
    expect(list.destinations).to.deep.equal(['console.example.com/api/ingress']);
  });
});
