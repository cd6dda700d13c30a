import { join, resolve } from 'node:path';
import { stat } from 'node:fs/promises';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { expand } from '../../expand/index.js';
import { FwgenError, hasErrors, type Diagnostic } from '../../model/diagnostic.js';
import { getEmitter } from '../../emit/registry.js';
import { emitTarget, needsServiceTags, type EmitEnvironment } from '../../emit/run-emitter.js';
import { writeOutputs } from '../../emit/write-outputs.js';
import { formatDiagnostics } from '../report.js';
import { loadSets, parsePairs, sourceFile } from '../inputs.js';
import { expandInputWithFeeds, feedAgeWarnings, maxFeedAge } from '../feeds.js';
import { maxTagsAge, tagsAgeWarnings } from '../tags-age.js';

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const sources = [...list(args.catalog).map((c) => sourceFile(c, io.cwd, 'catalog')), ...list(args.file).map((f) => sourceFile(f, io.cwd, 'file'))];
  if (sources.length === 0) throw usage('name at least one --catalog ID or --file PATH', 'e.g. fwgen emit --catalog mcr --target squid');
  const emitter = await getEmitter(String(args.target));
  const loaded = await loadSets(sources, io);
  const expanded = expand(loaded.sets, await expandInputWithFeeds(args, io));
  const before = [...loaded.diagnostics, ...expanded.diagnostics];
  if (hasErrors(before) || !expanded.set) throw new FwgenError(before);
  const env: EmitEnvironment = {};
  const maxAge = maxTagsAge(args);
  const notes: Diagnostic[] = [];
  if (needsServiceTags(expanded.set, emitter)) {
    const { loadServiceTagsFile } = await import('../../service-tags/index.js');
    let file: string | undefined;
    if (args['service-tags'] !== undefined) {
      const { resolveServiceTagsPath } = await import('../../service-tags/locate.js');
      const r = resolveServiceTagsPath(resolve(io.cwd, String(args['service-tags'])), String(args['service-tags']));
      if (!r.file) throw new FwgenError([...before, r.diagnostic!]);
      file = r.file;
    }
    const tags = await loadServiceTagsFile(file);
    if (!tags.data) throw new FwgenError([...before, ...tags.diagnostics]);
    env.serviceTags = tags.data;
    // Apart from the emit's own diagnostics: --strict does not count it, and it never reaches the output.
    notes.push(...tagsAgeWarnings([tags.data.info], maxAge, io.env));
  }
  notes.push(...(await feedAgeWarnings(expanded.set.feeds, await maxFeedAge(args), io.env)));
  const result = emitTarget(expanded.set, emitter, parsePairs('set', args.set), env);
  const diagnostics = [...before, ...result.diagnostics];
  io.stderr.write(formatDiagnostics([...diagnostics, ...notes]));
  if (hasErrors(diagnostics)) return EXIT.input;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (args.strict && warnings) {
    io.stderr.write(`fwgen: --strict: ${warnings} warning${warnings === 1 ? '' : 's'}; nothing written\n`);
    return EXIT.failed;
  }
  const out = args.out === undefined ? undefined : resolve(io.cwd, String(args.out));
  if (out === undefined) {
    if (result.files.length !== 1) throw usage(`target ${emitter.id} writes ${result.files.length} files (${result.files.map((f) => f.path).join(', ')})`, 'pass --out DIRECTORY');
    io.stdout.write(result.files[0]!.contents);
  } else if (result.files.length === 1 && !(await isDirectory(out))) {
    await writeOutputs([{ path: out, contents: result.files[0]!.contents }]);
  } else {
    await writeOutputs(result.files.map((f) => ({ path: join(out, f.path), contents: f.contents })));
  }
  io.stderr.write(summary(emitter.id, expanded.set.requirements.length, diagnostics));
  return EXIT.ok;
}

function summary(target: string, requirements: number, diagnostics: Diagnostic[]): string {
  const count = (code: string) => diagnostics.filter((d) => d.code === code && d.severity !== 'note').length;
  const parts = [['widened', count('FIDELITY_WIDENED')], ['narrowed', count('FIDELITY_NARROWED')], ['dropped', count('FIDELITY_DROPPED')], ['broad', count('SAFETY_OVERBROAD')]]
    .filter(([, n]) => n)
    .map(([w, n]) => `${n} ${w}`);
  return `${target}: ${requirements} requirement${requirements === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}\n`;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

function usage(message: string, hint: string): FwgenError {
  return new FwgenError([{ code: 'USAGE', severity: 'error', message, hint, params: {} }]);
}
