// Names the text offers only as an alternative, or names in passing (an argument of a command, the end of a name
// already listed, the machine itself, a unix socket): kept as review notes or findings, never as rules.
import { expect } from 'chai';
import { parse } from 'yaml';
import { importDocument } from '../../lib/import/index.js';

function read(text: string, file = 'doc.md') {
  const r = importDocument(text, { file });
  const reqs = r.yaml ? (parse(r.yaml) as { requirements: { destinations: unknown[] }[] }).requirements : [];
  return { r, destinations: reqs.flatMap((x) => x.destinations), messages: r.diagnostics.map((d) => d.message) };
}

describe('import: alternatives offered in prose', () => {
  const doc = [
    '| URL | Port |',
    '|--|--|',
    '| `cdn01.quay.io` | 443 |',
    '| `cdn02.quay.io` | 443 |',
    '',
    'You can use the wildcard `\\*.quay.io` instead of `cdn0[1-2].quay.io` in your allowlist.',
    '',
  ].join('\n');

  it('makes no rule of a name offered instead of the listed ones', () => {
    expect(read(doc).destinations).to.deep.equal(['cdn01.quay.io', 'cdn02.quay.io']);
  });

  it('says so in a review: note that quotes the sentence', () => {
    const { r } = read(doc);
    expect(r.yaml).to.include('review: "*.quay.io" is offered as an alternative ("You can use the wildcard *.quay.io instead of');
  });

  it('reads "or you can allow" and "as an alternative" the same way, but keeps an item\'s own subject', () => {
    expect(read('Allow `registry.example.com` on port 443, or you can allow `*.example.com`.\n').destinations).to.deep.equal(['registry.example.com']);
    const item = read('The cluster needs these hosts:\n\n- **`api.example.com`**: release graph. `graph.example.org` can be used as an alternative.\n');
    expect(item.destinations).to.deep.equal(['api.example.com']);
  });
});

describe('import: a service tag written as a naming form', () => {
  const doc = (tail: string) =>
    [
      '| URL | Port |',
      '|--|--|',
      '| `myreg.azurecr.io` | 443 |',
      '',
      `To allow access to the service tag only in a specific region, ${tail}`,
      '',
    ].join('\n');

  it('is named and warned, not imported, when the sentence teaches its spelling', () => {
    const { destinations, messages } = read(doc('specify the region in the following format: AzureContainerRegistry.[region name].'));
    expect(destinations).to.deep.equal(['myreg.azurecr.io']);
    expect(messages.some((m) => m.includes('AzureContainerRegistry') && m.includes('not imported'))).to.equal(true);
  });

  it('is still imported when the sentence asks for it', () => {
    const { destinations } = read(doc('allow the "AzureContainerRegistry.{region}" service tag.'));
    expect(destinations.length).to.equal(2);
  });
});

describe('import: names in passing', () => {
  it('does not import the argument of a command', () => {
    const { destinations, messages } = read('Allow `c-01-ws.link.example.com` on 443. Find others by running the `dig c-<XX>-ws.link.example.com +short` command.\n');
    expect(destinations).to.deep.equal(['c-01-ws.link.example.com']);
    expect(messages.join('\n')).to.include('is an argument of a command (dig)');
  });

  it('does not import a name mentioned as the end of one already listed', () => {
    const doc = '| Domain | Port |\n|--|--|\n| `d3abc.cloudfront.net` | 443 |\n\n1. The string of characters before `cloudfront.net` could change.\n';
    const { destinations, messages } = read(doc);
    expect(destinations).to.deep.equal(['d3abc.cloudfront.net']);
    expect(messages.join('\n')).to.include('"cloudfront.net" is named as the end of d3abc.cloudfront.net');
  });

  it('keeps a listed name that happens to end another one', () => {
    expect(read('Allow these hosts:\n\n- `update.code.example.com`\n- `code.example.com`\n').destinations).to.deep.equal(['update.code.example.com', 'code.example.com']);
  });

  it('never allows the machine itself or a unix socket', () => {
    const { destinations } = read('`localhost` and `127.0.0.1` are invalid values for the proxy host; allow `proxy.example.net` and `[::1]`.\n');
    expect(destinations).to.deep.equal(['proxy.example.net']);
    const socket = read('| Service | Socket |\n|--|--|\n| etcd | unix://etcd.socket:2379 |\n');
    expect(socket.destinations).to.deep.equal([]);
  });
});
