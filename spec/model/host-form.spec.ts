/**
 * The two host forms beyond names and `*.name`: a partial-label wildcard and a host with a path. What each matches
 * (the model's own reading, which targets are checked against), how a path is made canonical, and that no path the
 * loader accepts holds a character that could end a token, string or line in any output format.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { checkPath, labelMatches, parseHostForm, pathMatches } from '../../lib/model/host-form.js';

describe('host forms', () => {
  it('splits a host text into its name, wildcard label and path', () => {
    expect(parseHostForm('azgn*.servicebus.windows.net')).to.deep.equal({ host: 'servicebus.windows.net', label: 'azgn*', problems: [] });
    expect(parseHostForm('*EH.servicebus.windows.net')).to.deep.equal({ host: 'servicebus.windows.net', label: '*eh', problems: [] });
    expect(parseHostForm('www.microsoft.com/pkiops/certs')).to.deep.equal({ host: 'www.microsoft.com', path: '/pkiops/certs', problems: [] });
    expect(parseHostForm('mirror*.example.com/pub/')).to.deep.equal({ host: 'example.com', label: 'mirror*', path: '/pub/', problems: [] });
    // `*.` and plain names are left to the name grammar; a lone "/" is the whole host.
    expect(parseHostForm('*.example.com')).to.deep.equal({ host: '*.example.com', problems: [] });
    expect(parseHostForm('example.com/')).to.deep.equal({ host: 'example.com', problems: [] });
  });

  it('a wildcard label matches zero or more letters, digits and hyphens in that one label', () => {
    const m = (label: string, host: string) => labelMatches(label, 'servicebus.windows.net', host);
    expect(m('azgn*', 'azgnabc.servicebus.windows.net')).to.equal(true);
    expect(m('azgn*', 'azgn.servicebus.windows.net')).to.equal(true);
    expect(m('azgn*', 'azgn-1.servicebus.windows.net')).to.equal(true);
    expect(m('*eh', 'myeh.servicebus.windows.net')).to.equal(true);
    expect(m('a*z', 'az.servicebus.windows.net')).to.equal(true);
    expect(m('a*z', 'a.z.servicebus.windows.net')).to.equal(false);
    expect(m('azgn*', 'x.azgnabc.servicebus.windows.net')).to.equal(false);
    expect(m('azgn*', 'azgnabc.x.servicebus.windows.net')).to.equal(false);
    expect(m('azgn*', 'other.servicebus.windows.net')).to.equal(false);
    expect(m('azgn*', 'servicebus.windows.net')).to.equal(false);
    expect(m('azgn*', 'azg.servicebus.windows.net')).to.equal(false);
    expect(m('azgn*', 'azgn_x.servicebus.windows.net')).to.equal(false);
  });

  it('a path matches itself and what lies below it, at a segment boundary', () => {
    expect(pathMatches('/pkiops/certs', '/pkiops/certs')).to.equal(true);
    expect(pathMatches('/pkiops/certs', '/pkiops/certs/a.crt')).to.equal(true);
    expect(pathMatches('/pkiops/certs', '/pkiops/certs?x=1')).to.equal(true);
    expect(pathMatches('/pkiops/certs', '/pkiops/certsX')).to.equal(false);
    expect(pathMatches('/pkiops/certs', '/pkiops')).to.equal(false);
    expect(pathMatches('/pkiops/', '/pkiops/x')).to.equal(true);
    expect(pathMatches('/pkiops/', '/pkiops')).to.equal(false);
  });

  it('keeps percent-escapes, in upper case, and refuses what a target could misread', () => {
    expect(checkPath('/a%2fb%7E')).to.deep.equal({ path: '/a%2Fb%7E', problems: [] });
    const reason = (p: string) => checkPath(p).problems[0]?.params.reason;
    expect(reason('/a b')).to.equal('path-character');
    expect(reason('/a%00')).to.equal('path-character');
    expect(reason('/a%7f')).to.equal('path-character');
    expect(reason('/a%g1')).to.equal('path-escape');
    expect(reason('/a//b')).to.equal('path-empty-segment');
    expect(reason('/./a')).to.equal('path-dot-segment');
    expect(reason(`/${'a'.repeat(1100)}`)).to.equal('path-length');
    for (const c of ['"', "'", '`', '\\', '\n', '\r', '\t', '\0', ';', '#', '?', '&', '<', '>', '$', '{', '}', '*', ' ', '\u2028']) {
      expect(reason(`/a${c}b`), JSON.stringify(c)).to.equal('path-character');
    }
  });

  it('no accepted path holds anything but letters, digits, -._~/ and %XX escapes (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40, unit: 'binary' }), (tail) => {
        const r = checkPath(`/${tail}`);
        if (r.problems.length) return true;
        return r.path === undefined || /^(?:\/(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*)+$/.test(r.path);
      }),
      { numRuns: 500 },
    );
  });
});
