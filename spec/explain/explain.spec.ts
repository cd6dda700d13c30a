import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fwgen = (...args: string[]) => spawnSync(process.execPath, [`${root}bin/fwgen.js`, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

describe('fwgen explain', function () {
  this.timeout(60_000);

  it("names the requirement, and each target's own matching: Squid any depth, Cilium one label, NSG by address", () => {
    const r = fwgen('explain', 'a.b.data.mcr.microsoft.com:443', '--catalog', 'mcr', '--target', 'squid', '--target', 'cilium', '--target', 'azure-nsg', '--target', 'azure-firewall');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('required by mcr/data-endpoint: *.data.mcr.microsoft.com https:443 (002_2e6dd87888c40b12.txt:15)');
    expect(r.stdout).to.match(/squid:\s+allowed by mcr\/data-endpoint/);
    expect(r.stdout).to.match(/cilium:\s+denied: the target's rule for mcr\/data-endpoint \(\*\.data\.mcr\.microsoft\.com\) does not match this host/);
    expect(r.stdout).to.match(/azure-nsg:\s+allowed only if a\.b\.data\.mcr\.microsoft\.com resolves into AzureFrontDoor\.FirstParty, MicrosoftContainerRegistry/);
    expect(r.stdout).to.match(/azure-firewall:\s+allowed by mcr\/data-endpoint/);
  });

  it('one label below is allowed by Cilium, and with --set double-star=true any depth is', () => {
    expect(fwgen('explain', 'a.data.mcr.microsoft.com:443', '--catalog', 'mcr', '--target', 'cilium').stdout).to.match(/cilium:\s+allowed/);
    expect(fwgen('explain', 'a.b.data.mcr.microsoft.com:443', '--catalog', 'mcr', '--target', 'cilium', '--set', 'double-star=true').stdout).to.match(/cilium:\s+allowed/);
  });

  it('exits 1 for a host no requirement allows, and shows what a widened rule lets through anyway', () => {
    const r = fwgen('explain', 'data.mcr.microsoft.com:443', '--catalog', 'mcr', '--target', 'squid', '--set', 'subdomains=widen');
    expect(r.status).to.equal(1);
    expect(r.stdout).to.contain('required by: none of the given requirements');
    expect(r.stdout).to.match(/squid:\s+allowed by .*\(more than the requirements ask for\)/);
  });

  it('a partial-label wildcard: exact on squid and cilium, widened on azure-firewall (more than asked for elsewhere)', () => {
    const file = 'spec/fixtures/host-forms/input.yaml';
    const yes = fwgen('explain', 'azgnabc.servicebus.windows.net:443', '--file', file, '--target', 'squid', '--target', 'cilium', '--target', 'azure-firewall', '--target', 'iptables');
    expect(yes.status, yes.stderr).to.equal(0);
    expect(yes.stdout).to.contain('required by hostforms/event-hubs: azgn*.servicebus.windows.net https:443');
    expect(yes.stdout).to.match(/squid:\s+allowed by hostforms\/event-hubs \(azgn\*\.servicebus\.windows\.net\)/);
    expect(yes.stdout).to.match(/cilium:\s+allowed by hostforms\/event-hubs \(azgn\*\.servicebus\.windows\.net\)/);
    expect(yes.stdout).to.match(/azure-firewall:\s+allowed by hostforms\/event-hubs \(\*\.servicebus\.windows\.net\)/);
    expect(yes.stdout).to.match(/iptables:\s+denied/);
    const no = fwgen('explain', 'other.servicebus.windows.net:443', '--file', file, '--target', 'squid', '--target', 'cilium', '--target', 'azure-firewall');
    expect(no.status).to.equal(1);
    expect(no.stdout).to.match(/squid:\s+denied/);
    expect(no.stdout).to.match(/cilium:\s+denied/);
    expect(no.stdout).to.match(/azure-firewall:\s+allowed by .*\(more than the requirements ask for\)/);
  });

  it('a port that was not required is denied everywhere', () => {
    const r = fwgen('explain', 'mcr.microsoft.com:8443', '--catalog', 'mcr', '--target', 'squid');
    expect(r.status).to.equal(1);
    expect(r.stdout).to.match(/squid:\s+denied/);
  });

  it('refuses a destination that is not HOST[:PORT], exit 2', () => {
    const r = fwgen('explain', 'https://mcr.microsoft.com/', '--catalog', 'mcr');
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/error\[USAGE\]/);
  });
});
