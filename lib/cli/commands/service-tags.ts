import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { FwgenError, type Diagnostic } from '../../model/diagnostic.js';
import { nearest } from '../../model/nearest.js';
import { formatDiagnostics } from '../report.js';
import { findProjectFile, loadProject } from '../../project/load-project.js';
import { CLOUDS, cloudNames, datedFiles, isDirectory, resolveServiceTagsPath, type CloudName } from '../../service-tags/locate.js';
import { isCalendarDate, serviceTagsDate } from '../../service-tags/freshness.js';
import { parseServiceTags, placeDiagnostics, type ServiceTagsData } from '../../service-tags/service-tags.js';
import { validateServiceTags } from '../../service-tags/validate.js';
import { diffServiceTags } from '../../service-tags/diff.js';
import { fetchServiceTags } from '../service-tags/fetch.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const action = String(args.action);
  const files = (args.files as string[] | undefined) ?? [];
  if (action === 'update') {
    if (files.length) throw usage(`service-tags update takes no file arguments (got ${files.join(' ')})`, 'give the download with --from FILE|URL');
    return update(args, io);
  }
  if (action === 'diff') {
    if (files.length !== 2) throw usage(`service-tags diff takes two files, OLD and NEW (got ${files.length})`, 'e.g. fwgen service-tags diff ServiceTags_Public_20251028.json ServiceTags_Public_20251104.json');
    return diff(files[0]!, files[1]!, args, io);
  }
  throw usage(`unknown service-tags action "${action}"`, 'use `fwgen service-tags update` or `fwgen service-tags diff OLD NEW`');
}

function usage(message: string, hint: string): FwgenError {
  return new FwgenError([{ code: 'USAGE', severity: 'error', message, hint, params: {} }]);
}

function tagsError(file: string, message: string, hint: string, path = '$', code: Diagnostic['code'] = 'TAGS_FILE'): Diagnostic {
  return { code, severity: 'error', message, hint, span: { file, line: 1, col: 1 }, params: { path } };
}

/** Where update installs: a folder (the file keeps Microsoft's dated name) or a file; `shown` is for messages. */
type Destination = { folder: string; shown: string } | { file: string; shown: string };

async function destination(args: CommandArgs, io: CliIo): Promise<Destination> {
  const place = (abs: string, shown: string): Destination =>
    isDirectory(abs) || /[\\/]$/.test(shown) || !/\.json$/i.test(abs) ? { folder: abs, shown } : { file: abs, shown };
  if (args.out !== undefined) return place(resolve(io.cwd, String(args.out)), String(args.out));
  const projectFile = args.config === undefined ? findProjectFile(io.cwd) : resolve(io.cwd, String(args.config));
  const hint = 'pass --out FOLDER (or FILE), or add `defaults: { serviceTags: service-tags/ }` to fwgen.yaml so generate, check and update share the folder';
  if (!projectFile) throw usage(`no place to install the Service Tags file: no --out, and no fwgen.yaml in ${io.cwd} or above`, hint);
  const r = await loadProject(relative(io.cwd, projectFile) || projectFile, io.cwd);
  if (!r.project) throw new FwgenError(r.diagnostics);
  if (!r.project.serviceTags) throw usage(`no place to install the Service Tags file: ${relative(io.cwd, projectFile) || projectFile} sets no defaults.serviceTags`, hint);
  return place(r.project.serviceTags, relative(io.cwd, r.project.serviceTags) || r.project.serviceTags);
}

function cloudOfData(data: ServiceTagsData): CloudName | undefined {
  return cloudNames.find((c) => CLOUDS[c].cloud === data.info.cloud);
}

/** Checks a downloaded file and installs it (temp file and rename; nothing is written when any check fails). */
async function update(args: CommandArgs, io: CliIo): Promise<number> {
  const timeout = args.timeout === undefined ? 60 : Number(args.timeout);
  if (!(timeout > 0 && timeout <= 3600)) throw usage(`--timeout ${String(args.timeout)}: expected seconds, more than 0 and at most 3600`, 'e.g. --timeout 60');
  if (args.date !== undefined && !isCalendarDate(String(args.date))) throw usage(`--date ${String(args.date)}: expected a date as YYYY-MM-DD`, 'e.g. --date 2025-11-04');
  const dest = await destination(args, io);

  // What is installed now: the newest dated file of the folder (of the cloud asked for), or the file.
  const requested = args.cloud === undefined ? undefined : (String(args.cloud) as CloudName);
  const installedPath = 'folder' in dest ? lastOf(dest.folder, datedFiles(dest.folder, requested)) : dest.file;
  let installed: ServiceTagsData | undefined;
  if (installedPath) {
    const text = await readFile(installedPath, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      const r = parseServiceTags(text, installedPath);
      if (r.data) installed = r.data;
      else io.stderr.write(formatDiagnostics([{ code: 'TAGS_FILE', severity: 'warning', message: `the installed file ${relative(io.cwd, installedPath)} cannot be read as a Service Tags file; it will be replaced`, params: {} }]));
    }
  }
  const cloud: CloudName = requested ?? (installed ? cloudOfData(installed) : undefined) ?? 'Public';
  const from = args.from === undefined ? CLOUDS[cloud].page : String(args.from);

  const fetched = await fetchServiceTags(from, cloud, io.cwd, timeout * 1000);
  const text = fetched.bytes.toString('utf8');
  const checked = validateServiceTags(text, fetched.origin);
  if (!checked.data) throw new FwgenError(checked.diagnostics);
  const data = checked.data;
  const expected = CLOUDS[cloud].cloud;
  if (data.info.cloud !== expected) {
    throw new FwgenError(
      placeDiagnostics(text, [
        tagsError(fetched.origin, `$.cloud: the file is for cloud "${data.info.cloud}", not ${cloud} ("${expected}")`, `download the ${cloud} file, or pass --cloud ${cloudNames.find((c) => CLOUDS[c].cloud === data.info.cloud) ?? 'NAME'} if that is the one you want`, '$.cloud'),
      ]),
    );
  }
  const nameDate = serviceTagsDate(fetched.name);
  if (nameDate && args.date !== undefined && String(args.date) !== nameDate) {
    throw usage(`--date ${String(args.date)} differs from the date in the file's name, ${fetched.name} (${nameDate})`, 'leave --date out: the name carries the date');
  }
  const date = nameDate ?? (args.date === undefined ? undefined : String(args.date));
  if (!date) {
    throw new FwgenError([tagsError(fetched.origin, `cannot tell when ${fetched.name} was published: its name carries no date (Microsoft's files are named ${CLOUDS[cloud].prefix}_YYYYMMDD.json)`, 'pass --date YYYY-MM-DD, the date of the download on Microsoft\'s page')]);
  }
  if (installed) {
    const was = installed.info.changeNumber;
    const now = data.info.changeNumber;
    const shownInstalled = relative(io.cwd, installedPath!) || installedPath!;
    if (installed.info.cloud === data.info.cloud && now < was) {
      throw new FwgenError(
        placeDiagnostics(text, [
          tagsError(fetched.origin, `$.changeNumber: ${now} is older than the installed file's (${shownInstalled}, changeNumber ${was}); nothing installed`, 'download the newest file (Microsoft publishes one a week)', '$.changeNumber', 'TAGS_OLDER'),
        ]),
      );
    }
    if (installed.info.cloud === data.info.cloud && now === was) {
      io.stderr.write(`fwgen service-tags update: ${shownInstalled} already has changeNumber ${now}; nothing installed\n`);
      return EXIT.ok;
    }
  }

  if ('folder' in dest) {
    const others = datedFiles(dest.folder).filter((n) => !n.startsWith(`${CLOUDS[cloud].prefix}_`));
    if (others.length) {
      throw usage(`${dest.shown} holds another cloud's file (${others.join(', ')}): a folder holds one cloud, so fwgen knows which file it means`, `install the ${cloud} file into a folder of its own with --out FOLDER`);
    }
  }
  const target = 'folder' in dest ? join(dest.folder, `${CLOUDS[cloud].prefix}_${date.replace(/-/g, '')}.json`) : dest.file;
  await installAtomically(target, fetched.bytes);
  const removed: string[] = [];
  if ('folder' in dest) {
    // One file per cloud in the folder, so it always resolves to this one; the old one stays in version control.
    for (const name of datedFiles(dest.folder, cloud)) {
      const path = join(dest.folder, name);
      if (path === target) continue;
      await rm(path, { force: true });
      removed.push(name);
    }
  }
  const shown = relative(io.cwd, target) || target;
  const lines = [`installed ${shown} (cloud ${data.info.cloud}, changeNumber ${data.info.changeNumber}, published ${date}, ${data.tags.size} tags)`];
  if (installed) {
    const d = diffServiceTags(installed, data);
    const prefixes = d.changes.reduce((n, c) => n + c.gained.length + c.lost.length, 0);
    lines.push(`  was ${basename(installedPath!)} (changeNumber ${installed.info.changeNumber}): ${plural(d.changes.length, 'tag')} changed, ${plural(prefixes, 'prefix', 'prefixes')} gained or lost`);
  }
  if (removed.length) lines.push(`  removed ${removed.join(', ')} from ${dest.shown}`);
  if (!serviceTagsDate(target)) lines.push(`  note: ${basename(target)} carries no date in its name, so fwgen cannot tell its age; install into a folder to keep Microsoft's dated name`);
  lines.push('  review with `fwgen service-tags diff OLD NEW`, then run `fwgen generate`');
  io.stderr.write(lines.join('\n') + '\n');
  return EXIT.ok;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function lastOf(dir: string, names: string[]): string | undefined {
  return names.length ? join(dir, names[names.length - 1]!) : undefined;
}

async function installAtomically(path: string, bytes: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.fwgen-tmp`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

async function diff(oldSpec: string, newSpec: string, args: CommandArgs, io: CliIo): Promise<number> {
  // Each file checked in full (every prefix of every tag), so a problem anywhere is reported with its line.
  const load = async (spec: string): Promise<ServiceTagsData> => {
    const r = resolveServiceTagsPath(resolve(io.cwd, spec), spec);
    if (!r.file) throw new FwgenError([r.diagnostic!]);
    const shown = r.file === resolve(io.cwd, spec) ? spec : relative(io.cwd, r.file);
    let text: string;
    try {
      text = await readFile(r.file, 'utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new FwgenError([tagsError(shown, `cannot read ${shown}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`, 'give two Service Tags files (or folders of them)')]);
    }
    const checked = validateServiceTags(text, shown);
    if (!checked.data) throw new FwgenError(checked.diagnostics);
    return checked.data;
  };
  const before = await load(oldSpec);
  const after = await load(newSpec);
  const only = args.tag === undefined ? undefined : (Array.isArray(args.tag) ? args.tag : [args.tag]).map(String);
  if (only) {
    const unknown = only.filter((t) => !before.tags.has(t) && !after.tags.has(t));
    if (unknown.length) {
      const names = [...new Set([...before.tags.keys(), ...after.tags.keys()])];
      throw new FwgenError(
        unknown.map((t) => {
          const near = nearest(t, names, 3);
          return { code: 'TAGS_UNKNOWN', severity: 'error', message: `service tag ${t} is in neither file`, hint: near.length ? `did you mean ${near.join(' or ')}?` : 'check the tag name', params: { tag: t } } satisfies Diagnostic;
        }),
      );
    }
  }
  const d = diffServiceTags(before, after, only);
  if (d.diagnostics.length) throw new FwgenError(d.diagnostics);
  const describe = (x: ServiceTagsData) => `${x.info.file} (cloud ${x.info.cloud}, changeNumber ${x.info.changeNumber}${x.info.date ? `, ${x.info.date}` : ''})`;
  if (args.format === 'json') {
    io.stdout.write(JSON.stringify({ old: before.info, new: after.info, changes: d.changes, unchanged: d.unchanged }, null, 2) + '\n');
  } else {
    const out: string[] = [`--- ${describe(before)}`, `+++ ${describe(after)}`];
    for (const c of d.changes) {
      const what = c.status === 'added' ? ' (new tag)' : c.status === 'removed' ? ' (tag removed)' : '';
      const counts = [c.gained.length ? `${c.gained.length} gained` : '', c.lost.length ? `${c.lost.length} lost` : ''].filter(Boolean).join(', ');
      out.push(`${c.name}${what}: ${counts || 'no addresses'}`);
      for (const p of c.gained) out.push(`+ ${p}`);
      for (const p of c.lost) out.push(`- ${p}`);
    }
    io.stdout.write(out.join('\n') + '\n');
  }
  const added = d.changes.filter((c) => c.status === 'added').length;
  const removed = d.changes.filter((c) => c.status === 'removed').length;
  io.stderr.write(`fwgen service-tags diff: ${plural(d.changes.length, 'tag')} changed (${added} new, ${removed} removed), ${d.unchanged} unchanged\n`);
  return d.changes.length ? EXIT.failed : EXIT.ok;
}
