import { expect } from 'chai';
import { getHeapStatistics } from 'node:v8';
import { collectGarbage } from '../../lib/project/collect-garbage.js';

describe('project: garbage collected between big outputs', () => {
  it('gets V8\'s gc and frees what nothing holds any more', () => {
    collectGarbage();
    const before = getHeapStatistics().used_heap_size;
    // About 40 MB that stays reachable until the end of the block, long enough to be promoted out of the young space.
    let junk: object[] | undefined = Array.from({ length: 400_000 }, (_, i) => ({ i, text: `entry ${i}` }));
    expect(getHeapStatistics().used_heap_size - before).to.be.above(20_000_000);
    expect(junk.length).to.equal(400_000);
    junk = undefined;
    expect(collectGarbage()).to.equal(true);
    expect(getHeapStatistics().used_heap_size - before).to.be.below(5_000_000);
  });
});
