// Port matrices between roles (tables of ports with no host names), read as requirements between endpoint groups;
// and numbers that are no ports (an ICMP type and code).
import { expect } from 'chai';
import { parse } from 'yaml';
import { importDocument } from '../../lib/import/index.js';
import { parsePortCell } from '../../lib/import/ports.js';
import { arrowFlows, subjectOf } from '../../lib/import/port-matrix.js';
import { loadRequirementSet } from '../../lib/load/load-text.js';

interface Req {
  direction?: string;
  sources?: { group: string }[];
  destinations: { group: string }[];
  ports: string[];
}

function read(text: string, file = 'doc.md') {
  const r = importDocument(text, { file });
  expect(r.yaml, r.diagnostics.map((d) => d.message).join('; ')).to.be.a('string');
  const data = parse(r.yaml!) as { requirements: Req[]; groups: Record<string, { title: string }> };
  return { r, data, rows: data.requirements.map((q) => `${(q.sources ?? []).map((s) => s.group).join('+') || '*'} -> ${q.destinations.map((d) => d.group).join('+')} ${q.ports.join(',')}`) };
}

const k8s = [
  '## Control plane',
  '',
  '| Protocol | Direction | Port Range | Purpose                 | Used By                   |',
  '|----------|-----------|------------|-------------------------|---------------------------|',
  '| TCP      | Inbound   | 6443       | Kubernetes API server   | All                       |',
  '| TCP      | Inbound   | 10250      | Kubelet API             | Self, Control plane       |',
  '',
  '## Node(s) {#node}',
  '',
  '| Protocol | Direction | Port Range  | Purpose               | Used By                 |',
  '|----------|-----------|-------------|-----------------------|-------------------------|',
  '| TCP      | Inbound   | 30000-32767 | NodePort Services     | All                     |',
  '',
].join('\n');

describe('import: port matrices between roles', () => {
  it('names the role a heading, an intro or a code span in parentheses gives', () => {
    expect(subjectOf('Proxy Service ports')).to.equal('Proxy Service');
    expect(subjectOf('Control plane')).to.equal('Control plane');
    expect(subjectOf('Master Nodes (``master-sg``) Rules:')).to.equal('master-sg');
    expect(subjectOf('The following ports should also be available on each node:')).to.equal('each node');
    expect(subjectOf('Read more in our TLS Routing guide.')).to.equal(undefined);
  });

  it('reads a table of ports under role headings as requirements to endpoint groups, peers as sources', () => {
    const { rows, data, r } = read(k8s);
    expect(rows).to.deep.equal(['* -> control-plane tcp:6443', 'control-plane -> control-plane tcp:10250', '* -> node-s tcp:30000-32767']);
    expect(Object.values(data.groups).map((g) => g.title)).to.deep.equal(['Control plane', 'Node(s)']);
    expect(r.yaml).to.include('port matrix: the ports are opened on "Control plane"; column "Used By" names the peers, column "Direction" which way');
    // The draft loads, and a user binds the groups.
    expect(loadRequirementSet(r.yaml!, 'doc.yaml').diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
  });

  it('turns an egress row around: the peer receives, the table\'s subject sends', () => {
    const doc = ['Master Nodes (``master-sg``) Rules:', '', '======================== =============== ==================== ===============', 'Port Range / Protocol    Ingress/Egress  Source/Destination   Description', '======================== =============== ==================== ===============', '2379-2380/tcp            ingress         ``worker-sg``        etcd access', '8472/udp                 egress          ``worker-sg``        VXLAN overlay', 'ICMP 8/0                 ingress         ``worker-sg``        health checks', '======================== =============== ==================== ===============', ''].join('\n');
    const { rows, r } = read(doc, 'doc.rst');
    expect(rows).to.deep.equal(['worker-sg -> master-sg tcp:2379-2380', 'master-sg -> worker-sg udp:8472']);
    expect(r.diagnostics.map((d) => d.message).join('\n')).to.include('no port the model can express in "ICMP 8/0"');
  });

  it('reads who talks to whom from arrows in a direction column', () => {
    expect(arrowFlows('worker, CLI => controller')).to.deep.equal([{ sources: ['worker', 'CLI'], destination: 'controller' }]);
    expect(arrowFlows('worker <-> controller')).to.deep.equal([{ sources: ['worker'], destination: 'controller' }, { sources: ['controller'], destination: 'worker' }]);
    expect(arrowFlows('controller, worker => host `*`')).to.deep.equal([{ sources: ['controller', 'worker'], destination: 'all hosts' }]);
    const doc = '| Protocol | Port  | Service        | Direction                      |\n|----------|-------|----------------|--------------------------------|\n| TCP      | 2380  | etcd peers     | controller <-> controller      |\n| TCP      | 6443  | kube-apiserver | worker, CLI => controller      |\n';
    expect(read(doc).rows).to.deep.equal(['controller -> controller tcp:2380', 'worker+cli -> controller tcp:6443']);
  });

  it('takes a "Service" column as the role of each row', () => {
    const { rows } = read('### Agent ports\n\n| Port | Service | Traffic Type |\n| - | - | - |\n| 3022 | SSH Service | Incoming SSH connections.|\n| 3026 | Kubernetes Service | HTTPS traffic.|\n');
    expect(rows).to.deep.equal(['* -> ssh-service tcp:3022', '* -> kubernetes-service tcp:3026']);
  });

  it('makes no rule of ports on the loopback interface, and says so', () => {
    const doc = '### Local Ports\n\nKubernetes listens on the loopback interface for monitoring.\n\n| Protocol | Port | Description\n|----------|------|------------\n| TCP | 2381 | etcd metrics\n';
    const r = importDocument(doc, { file: 'doc.md' });
    expect(r.requirements).to.equal(0);
    expect(r.diagnostics.map((d) => d.message).join('\n')).to.include('listens on the loopback interface only');
  });

  it('leaves a table of ports with no role to put them on', () => {
    const r = importDocument('| Port | Description |\n|--|--|\n| 8080 | the web UI |\n', { file: 'doc.md' });
    expect(r.requirements).to.equal(0);
  });
});

describe('import: lists of ports with no names', () => {
  it('reads items that start with a port as requirements to the group the intro names', () => {
    const doc = ['Galera Cluster requires a number of ports between the nodes. You may require these ports on each node in the cluster:', '', '- ``3306`` For MySQL client connections.', '', '- ``4567`` For replication traffic, multicast replication uses both UDP transport and TCP on this port.', ''].join('\n');
    const { rows } = read(doc, 'doc.rst');
    expect(rows).to.deep.equal(['* -> each-node tcp:3306', '* -> each-node tcp:4567,udp:4567']);
  });

  it('puts the ports of a text that names no role on a group to rename, and says so', () => {
    const doc = ['Ensure the firewall allows MySQL traffic inbound:', '', '  - MySQL Port (From Morpheus)', '', '    - 3306', '', '  - InnoDB Ports (Between InnoDB Nodes)', '', '    - 33061 (Group Replication)', ''].join('\n');
    const { rows, r } = read(doc, 'doc.rst');
    expect(rows).to.deep.equal(['* -> hosts tcp:3306', '* -> hosts tcp:33061']);
    expect(r.yaml).to.include('review: the text names no role for these ports: read as the group "hosts"');
    expect(r.yaml).to.include('purpose: "InnoDB Ports (Between InnoDB Nodes): Group Replication"');
  });

  it('needs two such items and a text about ports or a firewall', () => {
    expect(importDocument('Steps:\n\n- 1984 was a year\n- 2001 too\n', { file: 'doc.md' }).requirements).to.equal(0);
  });
});

describe('import: numbers that are no ports', () => {
  it('reads no port from ICMP, ESP or GRE, whatever numbers stand beside them', () => {
    expect(parsePortCell('8/0', 'ICMP')).to.deep.equal({ ports: [], unparsed: ['ICMP 8/0'] });
    expect(parsePortCell('ICMP 8/0').ports).to.deep.equal([]);
    expect(parsePortCell('50', 'ESP').ports).to.deep.equal([]);
    expect(parsePortCell('icmp, 443').ports).to.deep.equal(['tcp:443']);
  });
});
