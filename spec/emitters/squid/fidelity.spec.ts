/**
 * What Squid cannot carry is dropped, never silently: SSH, UDP, all-traffic, CIDR-only and service-tag
 * destinations, inbound and internal requirements, and service-tag sources each get a FIDELITY_DROPPED warning
 * whose hint names the target to use instead, and nothing of them reaches the fragment. An unbound source group
 * widens with a hint naming the --bind flag, and `--set subdomains=widen` says which wildcards it widened.
 */
import { expect } from 'chai';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

interface Printed {
  line: string;
  requirement?: string;
  code: string;
  hint?: string;
}

/** Diagnostics as the CLI prints them: `file:line:col: severity[CODE] target: message`, then `  hint: ...`. */
function printed(stderr: string): Printed[] {
  const out: Printed[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^\S+: (?:warning|error|note)\[([A-Z_]+)\] squid: (\S+):/.exec(line);
    if (m) out.push({ line, code: m[1]!, requirement: m[2]! });
    else if (line.startsWith('  hint: ') && out.length) out[out.length - 1]!.hint = line.slice(8);
  }
  return out;
}

describe('squid: dropped and widened requirements are reported', function () {
  it('every requirement a proxy cannot carry is dropped with a hint naming another target', async function () {
    const r = await runCli(['emit', '--file', 'input.yaml', '--target', 'squid'], { cwd: join(FIXTURES, 'drops') });
    expect(r.code, r.stderr).to.equal(0);
    const d = printed(r.stderr);
    const dropped = d.filter((x) => x.code === 'FIDELITY_DROPPED');
    for (const id of ['ssh', 'cidr-only', 'service-tag', 'udp', 'all-traffic', 'inbound', 'internal', 'service-tag-source', 'mixed-destinations']) {
      const mine = dropped.filter((x) => x.requirement === `drops/${id}`);
      expect(mine, `a drop diagnostic for drops/${id}\n${r.stderr}`).to.not.be.empty;
      for (const x of mine) expect(x.hint, x.line).to.match(/--target (iptables|nftables|azure-nsg|azure-firewall)\b/);
    }
    const rules = r.stdout.split('\n').filter((l) => !l.startsWith('#'));
    for (const gone of ['git.example.com', 'ntp.example.com', 'vpn.example.com', 'tagged.example.com', '192.0.2.0', '2001:db8::', '203.0.113.0', 'AzureCloud', 'Storage', 'port 22', 'port 123', '_ssh_', '_udp_', '_inbound_', '_internal_']) {
      expect(rules.join('\n'), gone).not.to.include(gone);
    }
    // What is left: mixed.example.com on 443 only, and the unbound-source rule for every client.
    expect(rules.filter((l) => l.startsWith('http_access allow'))).to.deep.equal([
      'http_access allow fwgen_connect fwgen_port_443 fwgen_drops_mixed-destinations_dst',
      'http_access allow fwgen_connect fwgen_port_443 fwgen_drops_unbound-source_dst',
    ]);
    const widened = d.filter((x) => x.code === 'FIDELITY_WIDENED');
    expect(widened.map((x) => x.requirement)).to.deep.equal(['drops/unbound-source']);
    expect(widened[0]!.hint).to.include('--bind jump-hosts=');
    // Every drop and widening is listed in the fragment's own header too.
    for (const x of [...dropped, ...widened]) expect(r.stdout).to.include(`#   ${x.line.replace(/^.*? squid: /, '')}\n`);
  });

  it('--set subdomains=widen names each widened wildcard; exact mode widens none', async function () {
    const cwd = join(FIXTURES, 'subdomain-merge');
    const exact = await runCli(['emit', '--file', 'input.yaml', '--target', 'squid'], { cwd });
    expect(exact.code, exact.stderr).to.equal(0);
    expect(printed(exact.stderr).filter((x) => x.code === 'FIDELITY_WIDENED')).to.deep.equal([]);
    const widen = await runCli(['emit', '--file', 'input.yaml', '--target', 'squid', '--set', 'subdomains=widen'], { cwd });
    expect(widen.code, widen.stderr).to.equal(0);
    const w = printed(widen.stderr).filter((x) => x.code === 'FIDELITY_WIDENED');
    expect(w.map((x) => /: (\*\.\S+) widened/.exec(x.line)?.[1]).sort()).to.deep.equal(['*.b.example.com', '*.w.example.net', '*.x.w.example.net']);
    for (const x of w) expect(x.hint).to.include('--set subdomains=exact');
    // --strict refuses widened output, writing nothing.
    const strict = await runCli(['emit', '--file', 'input.yaml', '--target', 'squid', '--set', 'subdomains=widen', '--strict'], { cwd });
    expect(strict.code).to.equal(1);
    expect(strict.stdout).to.equal('');
  });
});
