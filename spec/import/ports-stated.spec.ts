// Ports stated once for a group of names (a sibling item, a footnote, a row's own description), and table shapes
// that hid a row's cells (AsciiDoc row spans, preprocessor lines, block attributes after a list continuation).
import { expect } from 'chai';
import { parse } from 'yaml';
import { importDocument } from '../../lib/import/index.js';
import { portsInProse } from '../../lib/import/ports.js';

function byDestination(text: string, file: string): Record<string, string> {
  const r = importDocument(text, { file });
  expect(r.yaml, r.diagnostics.map((d) => d.message).join('; ')).to.be.a('string');
  const out: Record<string, string> = {};
  for (const q of (parse(r.yaml!) as { requirements: { destinations: string[]; ports: string[] }[] }).requirements) {
    for (const d of q.destinations) out[String(d)] = q.ports.join(',');
  }
  return out;
}

describe('import: ports stated once for several names', () => {
  it('applies a "Protocol and ports" item to the other items of its definition, before it or after', () => {
    const doc = [
      'Allow access to NTP servers.',
      ':    * Destination hostnames: `0.rhel.pool.ntp.org`, `1.rhel.pool.ntp.org`',
      '     * Protocol and ports: Allow NTP protocol and provide UDP on port 123',
      '',
      'Allow workers to reach the control plane.',
      ':    * Destination IP addresses:  168.1.27.26,130.198.65.146',
      '     * Protocol and ports: TCP 30000 - 32767',
      '',
    ].join('\n');
    expect(byDestination(doc, 'doc.md')).to.deep.equal({
      '0.rhel.pool.ntp.org': 'udp:123',
      '1.rhel.pool.ntp.org': 'udp:123',
      '168.1.27.26/32': 'tcp:30000-32767',
      '130.198.65.146/32': 'tcp:30000-32767',
    });
  });

  it('reads the transport a sentence names for "port N"', () => {
    expect(portsInProse('provide UDP on port 123')).to.deep.equal(['udp:123']);
    expect(portsInProse('open port 8443')).to.deep.equal(['tcp:8443']);
  });

  it('takes the transports of a port cell from its footnote', () => {
    const doc = ['[cols="6,1,6",options="header"]', '|===', '|Domain | Port | Function', '|`time-a-g.nist.gov`', '|123 ^[3]^', '|Allows NTP traffic.', '', '|`api.example.com`', '|443', '|API', '|===', '+', '[.small]', '--', '3. Both TCP and UDP ports.', '--', ''].join('\n');
    expect(byDestination(doc, 'doc.adoc')).to.deep.equal({ 'time-a-g.nist.gov': 'tcp:123,udp:123', 'api.example.com': 'tcp:443' });
  });

  it("takes a row's ports from its own text when the table has no port column", () => {
    const doc = ['| Agent resource | Description |', '|--|--|', '| `www.microsoft.com/pkiops/certs` | Certificate updates (note: uses HTTP/TCP 80 and HTTPS/TCP 443) |', '| `aka.ms` | Download script |', ''].join('\n');
    const got = byDestination(doc, 'doc.md');
    expect(got['www.microsoft.com/pkiops/certs']!.split(',').sort()).to.deep.equal(['tcp:443', 'tcp:80']);
    expect(got['aka.ms']).to.equal('https:443');
  });
});

describe('import: AsciiDoc table shapes', () => {
  it('puts a cell spanning rows (.2+|) in each row it spans', () => {
    const doc = ['[cols="2a,8a,2a",options="header"]', '|===', '|Cloud |URL | Port', '', '|AWS', '|`*.amazonaws.com`', '|443', '', '.2+|GCP', '|`*.googleapis.com`', '|443', '', '|`accounts.google.com`', '|443', '|===', ''].join('\n');
    expect(byDestination(doc, 'doc.adoc')).to.deep.equal({ '*.amazonaws.com': 'tcp:443', '*.googleapis.com': 'tcp:443', 'accounts.google.com': 'tcp:443' });
  });

  it('reads rows between ifdef:: lines, and the header the attribute line after a list continuation asks for', () => {
    const doc = ['. Allowlist these:', '+', '[cols="6,1,6",options="header"]', '|===', '|Domain | Port | Function', '|`a.example.com`', '|443', '|A', '', 'ifdef::fedramp[]', '|`time.example.gov`', '|123', '|NTP', 'endif::fedramp[]', '|===', ''].join('\n');
    expect(byDestination(doc, 'doc.adoc')).to.deep.equal({ 'a.example.com': 'tcp:443', 'time.example.gov': 'tcp:123' });
  });
});
