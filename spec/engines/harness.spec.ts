import { expect } from 'chai';
import {
  engineAvailable,
  iptablesRestoreTest,
  ipsetRestore,
  nftCheck,
  proxyRequest,
  requireEngine,
  requireEngines,
  requireNetns,
  squidParse,
  startHttpServer,
  startSquid,
  startTlsServer,
  withNetns,
  xmllintCheck,
  type NetnsPair,
  type SquidInstance,
  type TestServer,
} from '../helpers/engines.js';

describe('engine harness', function () {
  this.timeout(30_000);

  describe('requireEngine', function () {
    const fakeCtx = (): Mocha.Context => ({ test: { fullTitle: () => 'fake test', title: 'fake test' }, skip: () => { throw new Error('skip() called'); } }) as unknown as Mocha.Context;

    it('knows what is installed', function () {
      expect(engineAvailable('sh')).to.equal(true);
      expect(engineAvailable('fwgen-no-such-engine')).to.equal(false);
    });

    it('does nothing when the engine is installed', function () {
      expect(() => requireEngine(fakeCtx(), 'sh')).not.to.throw();
    });

    it('fails instead of skipping when FWGEN_REQUIRE_ENGINES=1', function () {
      const saved = process.env.FWGEN_REQUIRE_ENGINES;
      process.env.FWGEN_REQUIRE_ENGINES = '1';
      try {
        expect(() => requireEngine(fakeCtx(), 'fwgen-no-such-engine')).to.throw(/FWGEN_REQUIRE_ENGINES=1 forbids skipping: fake test/);
      } finally {
        if (saved === undefined) delete process.env.FWGEN_REQUIRE_ENGINES;
        else process.env.FWGEN_REQUIRE_ENGINES = saved;
      }
    });
  });

  describe('squidParse', function () {
    before(function () {
      requireEngine(this, 'squid');
    });

    it('accepts a tiny valid config', function () {
      const r = squidParse('http_port 127.0.0.1:3999\nacl a dstdomain .example.test\nhttp_access allow a\nhttp_access deny all\n');
      expect(r.ok, r.output).to.equal(true);
      expect(r.warnings).to.deep.equal([]);
    });

    it('rejects a broken config', function () {
      const r = squidParse('acl a dstdomain example.test .example.test\nhttp_access allow a\n');
      expect(r.ok).to.equal(false);
      expect(r.output).to.match(/Bungled/);
      expect(r.errors.length).to.be.greaterThan(0);
    });

    it('returns WARNING lines, and fails on them with strict', function () {
      const conf = 'acl a dstdomain .example.test .a.example.test\nhttp_access allow a\nhttp_access deny all\n';
      const r = squidParse(conf);
      expect(r.ok).to.equal(true);
      expect(r.warnings.join('\n')).to.match(/subdomain/);
      expect(squidParse(conf, { strict: true }).ok).to.equal(false);
    });
  });

  describe('live squid', function () {
    let squid: SquidInstance | undefined;
    const servers: TestServer[] = [];

    before(async function () {
      requireEngines(this, 'squid', 'curl', 'openssl');
      // Ports the system chose, so a busy machine (or a second run at once) cannot make the bind fail.
      servers.push(await startHttpServer('127.0.0.2', 0));
      servers.push(await startHttpServer('127.0.0.3', 0));
      servers.push(await startTlsServer('127.0.0.2', 0));
      squid = await startSquid({
        fragment: [
          `acl SSL_ports port ${servers[2]!.port}`,
          'acl CONNECT method CONNECT',
          'acl a dstdomain .example.test',
          'http_access deny CONNECT !SSL_ports',
          'http_access allow a',
          'http_access deny all',
        ].join('\n'),
        hosts: { 'www.example.test': '127.0.0.2', 'other.test': '127.0.0.3' },
      });
    });

    after(async function () {
      await squid?.stop();
      await Promise.all(servers.map((s) => s.close()));
    });

    it('lets an allowed name through (200)', async function () {
      const r = await proxyRequest({ proxyPort: squid!.port, url: `http://www.example.test:${servers[0]!.port}/` });
      expect(r, r.stderr).to.include({ curlExit: 0, httpCode: 200 });
      expect(servers[0]!.hits()).to.equal(1);
      expect(squid!.accessLog()).to.match(/www\.example\.test/);
    });

    it('denies a name not allowed (403) without reaching the server', async function () {
      const r = await proxyRequest({ proxyPort: squid!.port, url: `http://other.test:${servers[1]!.port}/` });
      expect(r, r.stderr).to.include({ curlExit: 0, httpCode: 403 });
      expect(servers[1]!.hits()).to.equal(0);
    });

    it('tunnels CONNECT to an allowed name on an SSL port', async function () {
      const r = await proxyRequest({ proxyPort: squid!.port, url: `https://www.example.test:${servers[2]!.port}/`, connect: true });
      expect(r, r.stderr).to.include({ curlExit: 0, httpCode: 200, proxyStatus: 200 });
      expect(servers[2]!.hits()).to.equal(1);
    });

    it('refuses CONNECT to a name not allowed (403, curl exit 56)', async function () {
      const r = await proxyRequest({ proxyPort: squid!.port, url: `https://other.test:${servers[2]!.port}/`, connect: true });
      expect(r, r.stderr).to.include({ curlExit: 56, proxyStatus: 403 });
    });

    it('refuses CONNECT to an allowed name on a port outside SSL_ports', async function () {
      const r = await proxyRequest({ proxyPort: squid!.port, url: `http://www.example.test:${servers[0]!.port}/`, connect: true });
      expect(r, r.stderr).to.include({ curlExit: 56, proxyStatus: 403 });
    });
  });

  describe('network namespaces', function () {
    let pair: NetnsPair | undefined;

    before(async function () {
      requireNetns(this);
      requireEngines(this, 'iptables-restore', 'curl');
      pair = await withNetns();
    });

    after(async function () {
      await pair?.cleanup();
    });

    it('a server in S is reachable from C, and unreachable once C REJECTs it', async function () {
      const p = pair!;
      await p.startServer(p.sIp, 8080);
      expect(await p.connect(p.sIp, 8080)).to.equal(0);
      const load = await p.iptablesRestore(
        ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', `-A OUTPUT -d ${p.sIp}/32 -p tcp --dport 8080 -j REJECT --reject-with tcp-reset`, 'COMMIT', ''].join('\n'),
      );
      expect(load.code, load.stderr).to.equal(0);
      expect(await p.connect(p.sIp, 8080)).to.equal(7);
    });

    it('withNetns(fn) deletes its namespaces even when fn throws', async function () {
      let names: string[] = [];
      let thrown: unknown;
      try {
        await withNetns((q) => {
          names = [q.c, q.s];
          throw new Error('boom');
        });
      } catch (e) {
        thrown = e;
      }
      expect(String(thrown)).to.match(/boom/);
      const { execFileSync } = await import('node:child_process');
      const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      for (const n of names) expect(list).not.to.include(n);
    });
  });

  describe('static checks in throw-away namespaces', function () {
    it('iptablesRestoreTest catches a jump to an undefined chain that --test misses', function () {
      requireEngines(this, 'iptables-restore', 'unshare');
      const good = '*filter\n:OUTPUT ACCEPT [0:0]\n:X - [0:0]\n-A OUTPUT -j X\nCOMMIT\n';
      expect(iptablesRestoreTest(good).ok).to.equal(true);
      const bad = '*filter\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -j NOSUCHCHAIN\nCOMMIT\n';
      const r = iptablesRestoreTest(bad);
      expect(r.ok).to.equal(false);
      expect(r.failedAt, r.output).to.be.oneOf(['test', 'load']);
      expect(iptablesRestoreTest('*filter\n-A OUTPUT -p tcp --dport 99999 -j ACCEPT\nCOMMIT\n').failedAt).to.equal('test');
    });

    it('iptablesRestoreTest handles IPv6', function () {
      requireEngines(this, 'ip6tables-restore', 'unshare');
      expect(iptablesRestoreTest('*filter\n-A OUTPUT -d 2001:db8::/32 -j ACCEPT\nCOMMIT\n', true).ok).to.equal(true);
      expect(iptablesRestoreTest('*filter\n-A OUTPUT -d 2001:db8::/32 -j ACCEPT\nCOMMIT\n', false).ok).to.equal(false);
    });

    it('nftCheck accepts a valid ruleset and rejects overlapping interval prefixes', function () {
      requireEngines(this, 'nft', 'unshare');
      const ok = nftCheck('table inet t {\n  set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 192.168.0.0/16 } }\n  chain o { type filter hook output priority 0; ip daddr @s accept; }\n}\n');
      expect(ok.ok, ok.output).to.equal(true);
      const bad = nftCheck('table inet t {\n  set s { type ipv4_addr; flags interval; elements = { 10.0.0.0/8, 10.1.0.0/16 } }\n}\n');
      expect(bad.ok).to.equal(false);
      expect(bad.output).to.match(/conflicting intervals/);
    });

    it('ipsetRestore fails on a duplicate entry unless -exist', function () {
      requireEngines(this, 'ipset', 'unshare');
      expect(ipsetRestore('create s hash:net family inet\nadd s 10.0.0.0/8\n').ok).to.equal(true);
      const dup = 'create s hash:net family inet\nadd s 10.0.0.0/8\nadd s 10.0.0.0/8\n';
      expect(ipsetRestore(dup).ok).to.equal(false);
      expect(ipsetRestore(dup, { exist: true }).ok).to.equal(true);
    });

    it('xmllintCheck accepts well-formed XML and rejects malformed XML', function () {
      requireEngine(this, 'xmllint');
      expect(xmllintCheck('<a><b/></a>').ok).to.equal(true);
      const r = xmllintCheck('<a><b></a>');
      expect(r.ok).to.equal(false);
      expect(r.code).to.equal(1);
    });
  });
});
