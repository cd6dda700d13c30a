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

describe('import: host forms the model cannot express yet', () => {
  const doc = ['| Host | Port |', '|--|--|', '| `azgn*.servicebus.windows.net` | 443 |', '| `www.microsoft.com/pkiops/certs` | 80 |', '| `login.example.com` | 443 |', ''].join('\n');

  it('makes no rule of a * inside the first label or of a host with a path', () => {
    const { destinations } = draft(doc);
    expect(destinations).to.deep.equal(['login.example.com']);
  });

  it('names each in a review: note of the draft and a warning, with why', () => {
    const { r } = draft(doc);
    expect(r.yaml).to.include('# - line 3: review: row 1 (line 3): "azgn*.servicebus.windows.net" has a * inside its first label');
    expect(r.yaml).to.include('# - line 4: review: row 2 (line 4): "www.microsoft.com/pkiops/certs" names a path (/pkiops/certs) on www.microsoft.com: not a rule yet');
    expect(r.diagnostics.filter((d) => d.code === 'IMPORT_REVIEW').map((d) => d.span?.line)).to.include.members([3, 4]);
  });

  it('says the same of such names in prose', () => {
    const { r } = draft('Allow access to `*gallerycdn.vsassets.io` and `login.example.com` on port 443.\n');
    expect(r.yaml).to.include('review: "*gallerycdn.vsassets.io" has a * inside its first label');
  });
});
