// Tables written as firewall rule collections (Azure Firewall's "Target FQDNs", "IP Addresses", "Service Tags"
// sections), and what must not become a rule there: route tables, FQDN tags, links to pages of the same site.
import { expect } from 'chai';
import { parse } from 'yaml';
import { importDocument } from '../../lib/import/index.js';
import { loadRequirementSet } from '../../lib/load/load-text.js';

interface Req {
  destinations: unknown[];
  ports: string[];
  allowBroad?: string;
  sources?: { group: string }[];
}

function read(text: string, file = 'doc.md') {
  const r = importDocument(text, { file });
  const reqs = r.yaml ? (parse(r.yaml) as { requirements: Req[] }).requirements : [];
  return { r, reqs, destinations: reqs.flatMap((q) => q.destinations), messages: r.diagnostics.map((d) => d.message).join('\n') };
}

describe('import: rule tables', () => {
  it('reads "*" as every address, says why in allowBroad, and the draft loads', () => {
    const doc = '| Name | Protocol | Source addresses | Destination addresses | Destination ports |\n| --- | --- | --- | --- | --- |\n| Rule_1 | UDP | * | * | 123 |\n';
    const { reqs, r } = read(doc);
    expect(reqs).to.have.length(1);
    expect(reqs[0]!.destinations).to.deep.equal(['0.0.0.0/0', '::/0']);
    expect(reqs[0]!.ports).to.deep.equal(['udp:123']);
    expect(reqs[0]!.allowBroad).to.equal('the document gives every address ("*") as the destination (line 3)');
    expect(r.yaml).to.include('review: destination "*" is every address');
    expect(loadRequirementSet(r.yaml!, 'doc.yaml').diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
  });

  it('reads "*:16800" in an endpoint column as every address on that port', () => {
    const { reqs } = read('| **Endpoint** | **Details** |\n|---|---|\n| \\*:16800 for KMS Windows Activation | KMS |\n| `a.example.com:443` | A |\n');
    expect(reqs.map((q) => `${q.destinations.join(' ')} ${q.ports.join(',')}`)).to.deep.equal(['0.0.0.0/0 ::/0 tcp:16800', 'a.example.com tcp:443']);
  });

  it('makes a placeholder of the label a row says to replace', () => {
    const { destinations } = read('| Target FQDNS | Notes |\n| --- | --- |\n| storage_account_name.blob.core.windows.net | Replace `storage_account_name` with your actual storage account name. |\n');
    expect(destinations).to.deep.equal(['{storage-account}.blob.core.windows.net']);
  });

  it('matches a service tag written in another case to the snapshot\'s spelling', () => {
    const { destinations } = read('| Name | Protocol | Service Tags | Destination Ports |\n| --- | --- | --- | --- |\n| Rule_7 | TCP | SQL | 1433 |\n');
    expect(destinations).to.deep.equal([{ serviceTag: 'Sql' }]);
  });

  it('writes no service tag the shipped snapshot lacks, and says so', () => {
    const { destinations, messages } = read('| Scenarios | Service Tag |\n|--|--|\n| All | `MicrosoftContainerRegistry`, `AzureFrontDoorNoSuchTag` |\n');
    expect(destinations).to.deep.equal([{ serviceTag: 'MicrosoftContainerRegistry' }]);
    expect(messages).to.include('service tag "AzureFrontDoorNoSuchTag" is not in the shipped Service Tags snapshot: not written');
  });

  it('makes no rule of a route table, nor of a name given for a next hop', () => {
    const { destinations, messages } = read('| Route name | Address prefix | Next hop type |\n|---|---|---|\n| 168.61.49.99 | 168.61.49.99/32 | Internet |\n\n* One Virtual Appliance route for IP address 0.0.0.0/0 with the next hop being your firewall.\n');
    expect(destinations).to.deep.equal([]);
    expect(messages).to.include('is a route table (a next hop for each prefix)');
    expect(messages).to.include('"0.0.0.0/0" is named for a route (a next hop)');
  });

  it('makes no rule of Azure Firewall FQDN tags, and says so', () => {
    const { destinations, messages } = read('| Name | Source address | FQDN tag | Notes |\n| --- | --- | --- | --- |\n| Rule_1 | * | WindowsUpdate and HDInsight | Required |\n');
    expect(destinations).to.deep.equal([]);
    expect(messages).to.include('names Azure Firewall FQDN tags (WindowsUpdate and HDInsight)');
  });

  it('reads no host from a relative link in a cell', () => {
    const { destinations } = read('| **Endpoint** | **Details** |\n|---|---|\n| IPs published [here](hdinsight-management-ip-addresses.md) | HDInsight |\n| `a.example.com` | A |\n');
    expect(destinations).to.deep.equal(['a.example.com']);
  });
});

describe('import: ports named in lists and table titles', () => {
  it('reads "Name (Default N)" items as ports, with the transport the item states', () => {
    const doc = 'If you use a firewall, allow the following traffic.\n\n- HTTP API (Default 4646). This is used by clients and servers. TCP only.\n\n- Serf WAN (Default 4648). Used by servers to gossip. TCP and UDP.\n';
    expect(read(doc).reqs.map((q) => q.ports.join(','))).to.deep.equal(['tcp:4646', 'tcp:4648,udp:4648']);
  });

  it('takes both ends of a port matrix from its title ("for X to Y communications")', () => {
    const doc = ['.Ports used for all-machine to control plane communications', '[cols="2a,2a,5a",options="header"]', '|===', '', '|Protocol', '|Port', '|Description', '', '|TCP', '|`6443`', '|Kubernetes API', '', '|==='].join('\n');
    const { reqs } = read(doc, 'doc.adoc');
    expect(reqs.map((q) => `${(q.sources ?? []).map((s) => s.group).join('+')} -> ${(q.destinations as { group: string }[]).map((d) => d.group).join('+')} ${q.ports.join(',')}`)).to.deep.equal(['all-machine -> control-plane tcp:6443']);
  });
});
