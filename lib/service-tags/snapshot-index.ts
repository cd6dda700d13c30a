import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runningFromBuild } from '../project/build-info.js';
import type { ServiceTagsInfo } from '../model/resolved.js';
import type { ServiceTag, ServiceTagsData } from './service-tags.js';

/**
 * The prebuilt index of the Service Tags snapshot shipped with fwgen (scripts/build-service-tags-index.mjs), so an
 * emit that uses a few tags reads a small header and those tags' prefixes instead of parsing 4 MB of JSON and
 * aggregating them again. Its first line is a JSON header:
 *   { format: 1, source: { file, size, sha256 }, info, tags: [[name, region, systemService, start, end, aggStart, aggEnd], ...] }
 * where start/end are the byte range of the tag's object in the source file and aggStart/aggEnd the range, after
 * the header line, of its checked and aggregated prefixes joined by commas (-1 when a prefix was bad: those tags are
 * checked at run time and reported as usual).
 */
export const INDEX_FORMAT = 1;

type Entry = [name: string, region: string, systemService: string, start: number, end: number, aggStart: number, aggEnd: number];

interface Header {
  format: number;
  source: { file: string; size: number; sha256: string };
  info: ServiceTagsInfo;
  tags: Entry[];
}

/** Where the build writes the index of a snapshot file. */
export function indexFileFor(file: string): URL {
  return new URL(`../data/service-tags/${basename(file)}.index`, import.meta.url);
}

/**
 * The snapshot's data from its index, or undefined (then the caller parses the file): when not running from a
 * build (lib/ sources may aggregate differently from the build that wrote the index), when there is no index, or
 * when the file's size differs from the one indexed. The snapshot is part of the build, as the code is, and the
 * build id that `fwgen check` hashes covers both.
 */
export function loadIndexedSnapshot(file: string): ServiceTagsData | undefined {
  if (!runningFromBuild()) return undefined;
  let buf: Buffer;
  let header: Header;
  let fd: number;
  try {
    buf = readFileSync(indexFileFor(file));
    const nl = buf.indexOf(10);
    header = JSON.parse(buf.toString('latin1', 0, nl)) as Header;
    if (header.format !== INDEX_FORMAT || header.source.file !== basename(file)) return undefined;
    fd = openSync(file, 'r');
    if (fstatSync(fd).size !== header.source.size) {
      closeSync(fd);
      return undefined;
    }
    buf = buf.subarray(nl + 1);
  } catch {
    return undefined;
  }
  closeSync(fd);
  let source: Buffer | undefined;
  const raw = (start: number, end: number): unknown[] => {
    source ??= readFileSync(file);
    const value = JSON.parse(source.toString('utf8', start, end)) as { properties?: { addressPrefixes?: unknown } };
    const list = value.properties?.addressPrefixes;
    return Array.isArray(list) ? list : [];
  };
  const tags = new Map<string, ServiceTag>();
  const aggregated = new Map<ServiceTag, [number, number]>();
  header.tags.forEach(([name, region, systemService, start, end, aggStart, aggEnd], index) => {
    let prefixes: unknown[] | undefined;
    const tag: ServiceTag = {
      name,
      region,
      systemService,
      index,
      get addressPrefixes() {
        return (prefixes ??= raw(start, end));
      },
    };
    tags.set(name, tag);
    if (aggStart >= 0) aggregated.set(tag, [aggStart, aggEnd]);
  });
  return {
    info: header.info,
    tags,
    aggregated: (tag) => {
      const at = aggregated.get(tag);
      if (!at) return undefined;
      return at[0] === at[1] ? [] : buf.toString('latin1', at[0], at[1]).split(',');
    },
  };
}
