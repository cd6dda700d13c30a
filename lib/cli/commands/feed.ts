import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { FwgenError, type Diagnostic } from '../../model/diagnostic.js';
import { isFeedProvider, parseFeed, type FeedData, type FeedProvider } from '../../feeds/index.js';
import { detectFeed, diffFeeds } from '../../feeds/diff.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** `fwgen feed diff OLD NEW` and `fwgen feed m365 FILE`. */
export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const action = String(args.action);
  const files = list(args.files);
  if (action === 'diff') {
    if (files.length !== 2) throw usage(`feed diff takes two files, OLD and NEW (got ${files.length})`, 'e.g. fwgen feed diff ip-ranges-old.json ip-ranges.json --service S3');
    return diff(files[0]!, files[1]!, args, io);
  }
  if (action === 'm365') {
    if (files.length !== 1) throw usage(`feed m365 takes one file, the endpoints JSON (got ${files.length})`, 'e.g. fwgen feed m365 worldwide.json --feed-version 2025103000 --out m365.yaml');
    const { runM365 } = await import('./feed-m365.js');
    return runM365(files[0]!, args, io);
  }
  throw usage(`unknown feed action "${action}"`, 'use `fwgen feed diff OLD NEW` or `fwgen feed m365 FILE`');
}

/** A feed file's text, or FEED_FILE naming the path as given. */
export async function readFeedText(spec: string, io: CliIo): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, spec), 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new FwgenError([{ code: 'FEED_FILE', severity: 'error', message: `cannot read ${spec}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, span: { file: spec, line: 1, col: 1 }, params: { file: spec } }]);
  }
}

async function readFeed(spec: string, feedArg: FeedProvider | undefined, io: CliIo): Promise<FeedData> {
  const text = await readFeedText(spec, io);
  let feed = feedArg;
  if (!feed) {
    let json: unknown;
    try {
      json = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      // parseFeed below reports the syntax error with its position.
    }
    feed = detectFeed(json) ?? 'aws';
  }
  const r = parseFeed(feed, text, spec);
  if (!r.data) throw new FwgenError(r.diagnostics);
  return r.data;
}

async function diff(oldSpec: string, newSpec: string, args: CommandArgs, io: CliIo): Promise<number> {
  let feed: FeedProvider | undefined;
  if (args.type !== undefined) {
    const t = String(args.type);
    if (!isFeedProvider(t)) throw usage(`--type ${t}: no address feed of that name`, 'use aws, gcp or github');
    feed = t;
  }
  const before = await readFeed(oldSpec, feed, io);
  const after = await readFeed(newSpec, feed, io);
  if (before.info.feed !== after.info.feed) throw usage(`${oldSpec} is the ${before.info.feed} feed and ${newSpec} the ${after.info.feed} feed`, 'compare two files of the same feed');
  const services = list(args.service);
  const region = args.region === undefined ? undefined : String(args.region);
  const d = diffFeeds(before, after, { ...(services.length ? { service: services } : {}), ...(region !== undefined ? { region } : {}) });
  const describe = (x: FeedData) => `${x.info.file} (${x.info.feed}, ${x.info.idName} ${x.info.id}${x.info.date ? `, ${x.info.date}` : ''})`;
  if (args.format === 'json') {
    io.stdout.write(JSON.stringify({ old: before.info, new: after.info, changes: d.changes, unchanged: d.unchanged }, null, 2) + '\n');
  } else {
    const out: string[] = [`--- ${describe(before)}`, `+++ ${describe(after)}`];
    for (const c of d.changes) {
      const what = c.status === 'added' ? ' (new)' : c.status === 'removed' ? ' (removed)' : '';
      const counts = [c.gained.length ? `${c.gained.length} gained` : '', c.lost.length ? `${c.lost.length} lost` : ''].filter(Boolean).join(', ');
      out.push(`${c.service}${c.region ? ` ${c.region}` : ''}${what}: ${counts}`);
      for (const p of c.gained) out.push(`+ ${p}`);
      for (const p of c.lost) out.push(`- ${p}`);
    }
    io.stdout.write(out.join('\n') + '\n');
  }
  const group = before.info.feed === 'github' ? 'list' : before.info.feed === 'gcp' ? 'service and scope' : 'service and region';
  io.stderr.write(`fwgen feed diff: ${d.changes.length} changed, ${d.unchanged} unchanged (by ${group})\n`);
  return d.changes.length ? EXIT.failed : EXIT.ok;
}

function usage(message: string, hint: string): FwgenError {
  const d: Diagnostic = { code: 'USAGE', severity: 'error', message, hint, params: {} };
  return new FwgenError([d]);
}
