// Inline forms of vendor documents: a placeholder in a code span glued to the rest of a name, placeholders in
// braces with underscores, code blocks of names with a sentence of prose between them, tables inside block quotes,
// and service tags as a bullet list under a "Service tags" heading.
import { expect } from 'chai';
import { parse } from 'yaml';
import { importDocument } from '../../lib/import/index.js';
import { normalizeInline } from '../../lib/import/inline.js';

interface Req {
  destinations: unknown[];
  ports: string[];
}

function requirements(text: string, file = 'doc.md'): Req[] {
  const r = importDocument(text, { file });
  expect(r.yaml, r.diagnostics.map((d) => d.message).join('; ')).to.be.a('string');
  return (parse(r.yaml!) as { requirements: Req[] }).requirements;
}

const destinations = (text: string) => requirements(text).flatMap((r) => r.destinations);
const read = destinations;

describe('import: inline forms', () => {
  it('joins a placeholder code span to the name it is glued to', () => {
    expect(normalizeInline('`<virtual-machine-region-name>`.handler.control.monitor.azure.com (example)', 'prose').text).to.match(/^ \{virtual-machine-region-name\}\.handler\.control\.monitor\.azure\.com /);
    expect(normalizeInline('api.`{tenant}`.example.com', 'prose').text).to.equal('api.{tenant}.example.com');
    // Not glued: a code span followed by the end of a sentence, or by words.
    expect(normalizeInline('Allow `a.example.com`. Then', 'prose').text).to.equal('Allow  a.example.com . Then');
    const d = destinations('The machine must have access to these HTTPS endpoints:\n\n- `<virtual-machine-region-name>`.handler.control.monitor.azure.com (example: westus.handler.control.monitor.azure.com)\n');
    expect(d).to.deep.equal(['{virtual-machine-region}.handler.control.monitor.azure.com']);
  });

  it('reads a code block of names with sentences between them, placeholders with underscores included', () => {
    const doc = [
      'The following section includes the domain URLs to allow.',
      '',
      '```CommonDomainURLs',
      'https://dev.azure.com',
      'https://{organization_name}.visualstudio.com',
      '',
      'Azure DevOps uses content delivery network (CDN) to serve static content. The following URLs are part of that.',
      'https://cdn.vsassets.io',
      'https://*gallerycdn.vsassets.io',
      '```',
      '',
    ].join('\n');
    const r = importDocument(doc, { file: 'doc.md' });
    const reqs = (parse(r.yaml!) as { requirements: Req[] }).requirements;
    expect(reqs.flatMap((x) => x.destinations)).to.deep.equal(['dev.azure.com', '{organization}.visualstudio.com', 'cdn.vsassets.io', '*gallerycdn.vsassets.io']);
    expect(reqs.every((x) => x.ports.join() === 'https:443')).to.equal(true);
  });

  it('still reports a code block that is a command, not a list', () => {
    const r = importDocument('```bash\ncurl https://example.com/install.sh | sh\nsudo systemctl restart agent\n```\n', { file: 'doc.md' });
    expect(r.requirements).to.equal(0);
  });

  it('reads a table inside a block quote', () => {
    const doc = ['Allow the following ranges for inbound connections.', '', '> | Geography | IP V4 ranges |', '> |------|---------|', '> | Australia | 20.37.194.0/24 |', '> | Brazil | 191.235.226.0/24 |', ''].join('\n');
    expect(destinations(doc)).to.deep.equal(['20.37.194.0/24', '191.235.226.0/24']);
    // Read as the table it is (each row a requirement with its row), not as quoted prose.
    expect(importDocument(doc, { file: 'doc.md' }).yaml).to.include('# Markdown table, lines 3-6; columns: Geography → not read, IP V4 ranges → destination');
  });

  it('reads service tags given as a bullet list under a "Service tags" heading', () => {
    const doc = ['## Service tags', '', 'Be sure to allow access to the following Service Tags:', '', '* AzureActiveDirectory', '* Storage', '* WindowsAdminCenter (if using Windows Admin Center)', '', 'Allow them on port 443.', ''].join('\n');
    const r = importDocument(doc, { file: 'doc.md' });
    const reqs = (parse(r.yaml!) as { requirements: Req[] }).requirements;
    expect(reqs.flatMap((x) => x.destinations)).to.deep.equal([{ serviceTag: 'AzureActiveDirectory' }, { serviceTag: 'Storage' }, { serviceTag: 'WindowsAdminCenter' }]);
    expect(r.yaml).to.match(/review: the text makes it conditional \("if using Windows Admin Center"\)/);
  });

  it('reads a service tag asked for in prose, quoted or named in words, but not one only mentioned', () => {
    const quoted = read('Also allow IP addresses in the "name": "AzureDevOps" section of the downloadable file.\n');
    expect(quoted).to.deep.equal([{ serviceTag: 'AzureDevOps' }]);
    const words = read('If you use network firewalls, the [Azure Resource Manager service tag](../tags.md) must be enabled on the virtual network.\n');
    expect(words).to.deep.equal([{ serviceTag: 'AzureResourceManager' }]);
    const alternative = importDocument('Instead of allowing the previously listed IP ranges, you may use the **AzureDevOps** service tag.\n', { file: 'doc.md' });
    expect(alternative.requirements).to.equal(0);
  });

  it('does not read a capitalised word in a list as a tag outside a service-tag list', () => {
    const r = importDocument('## Authentication\n\nThe methods supported are:\n\n* Basic\n* Storage\n', { file: 'doc.md' });
    expect(r.requirements).to.equal(0);
  });
});
