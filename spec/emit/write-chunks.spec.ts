/**
 * writeOutputs writes text a megabyte at a time; the bytes must be exactly the text's UTF-8, also when a surrogate
 * pair (an emoji in a comment) straddles a chunk boundary.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeOutputs } from '../../lib/emit/write-outputs.js';
import { makeTempDir, removeTempDir } from '../helpers/engines.js';

const MB = 1 << 20;

describe('writeOutputs in chunks', () => {
  let dir: string;
  before(() => (dir = makeTempDir('fwgen-chunks-')));
  after(() => removeTempDir(dir));

  it('writes the UTF-8 of the text byte for byte, with surrogate pairs across chunk boundaries', async () => {
    const cases = [
      'a'.repeat(MB - 1) + '😀' + 'b'.repeat(10),
      'a'.repeat(MB) + '😀',
      'é'.repeat(MB + 3) + '😀'.repeat(MB / 2 + 1) + 'z',
      '',
      'x',
    ];
    const files = cases.map((contents, i) => ({ path: join(dir, `out-${i}.txt`), contents }));
    await writeOutputs(files);
    for (const f of files) expect(readFileSync(f.path).equals(Buffer.from(f.contents, 'utf8')), f.path).to.equal(true);
    // A multi-file output (staged as a folder) goes through the same writer.
    const group = join(dir, 'group');
    const grouped = cases.slice(0, 2).map((contents, i) => ({ path: join(group, `g-${i}.txt`), contents, group }));
    await writeOutputs(grouped);
    for (const f of grouped) expect(readFileSync(f.path).equals(Buffer.from(f.contents, 'utf8')), f.path).to.equal(true);
  });
});

describe('textSha256 (the check state hashes outputs in chunks)', () => {
  it("is the SHA-256 of the text's UTF-8, with surrogate pairs across chunk boundaries", async () => {
    const { createHash } = await import('node:crypto');
    const { textSha256 } = await import('../../lib/project/check-state.js');
    for (const text of ['', 'x', 'a'.repeat(MB - 1) + '😀' + 'b', 'é'.repeat(MB + 3) + '😀'.repeat(MB / 2 + 1)]) {
      expect(textSha256(text)).to.equal(createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'));
    }
  });
});
