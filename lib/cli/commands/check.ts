import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { hasErrors } from '../../model/diagnostic.js';
import { formatDiagnostics } from '../report.js';
import { maxTagsAge, tagsAgeWarnings } from '../tags-age.js';
import { feedAgeWarnings, maxFeedAge } from '../feeds.js';
import { projectFileFromArgs, projectFromArgs, recordRender, serviceTagsUsed } from './project-io.js';
import { readState, stateHolds } from '../../project/check-state.js';
import { resolveServiceTagsPath } from '../../service-tags/locate.js';

/**
 * Exits 0 when every output is current, 1 with a diff when one is stale or missing; writes nothing into the
 * project. When the state of an earlier render (lib/project/check-state.ts) still holds for every input and every
 * output on disk, nothing is rendered; otherwise, or with --full, every output is rendered and compared.
 */
export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const file = projectFileFromArgs(args, io);
  if (!args.full) {
    const state = readState(io.env, file);
    if (state && stateHolds(state, file, (p) => resolveServiceTagsPath(p).file)) {
      const feedAges = await feedAgeWarnings(state.feeds, await maxFeedAge(args, state.maxFeedAge), io.env);
      io.stderr.write(formatDiagnostics([...tagsAgeWarnings(state.serviceTags, maxTagsAge(args, state.maxTagsAge), io.env), ...feedAges]));
      io.stderr.write(`fwgen check: ${state.outputs.length} files up to date (nothing rendered: no input changed since the last render)\n`);
      return EXIT.ok;
    }
  }
  const project = await projectFromArgs(args, io, file);
  const maxAge = maxTagsAge(args, project.maxTagsAge);
  const renderStart = Date.now();
  const { renderProject } = await import('../../project/render-project.js');
  const rendered = await renderProject(project);
  const problems = rendered.diagnostics.filter((d) => d.severity === 'error');
  if (hasErrors(rendered.diagnostics)) {
    io.stderr.write(formatDiagnostics(problems));
    return EXIT.input;
  }
  const used = serviceTagsUsed(rendered);
  const feedAges = await feedAgeWarnings(rendered.feeds, await maxFeedAge(args, project.maxFeedAge), io.env);
  io.stderr.write(formatDiagnostics([...tagsAgeWarnings(used, maxAge, io.env), ...feedAges]));
  const stale: string[] = [];
  let createTwoFilesPatch: typeof import('diff').createTwoFilesPatch | undefined;
  for (const f of rendered.files) {
    const name = relative(project.dir, f.path);
    const current = await readFile(f.path, 'utf8').catch(() => undefined);
    if (current === f.contents) continue;
    stale.push(current === undefined ? `${name} (missing)` : name);
    createTwoFilesPatch ??= (await import('diff')).createTwoFilesPatch;
    io.stdout.write(createTwoFilesPatch(`a/${name}`, `b/${name}`, current ?? '', f.contents, current === undefined ? 'missing' : 'on disk', 'generated'));
  }
  if (rendered.strictFailures.length) {
    io.stderr.write(formatDiagnostics(rendered.diagnostics));
    io.stderr.write(`fwgen check: strict outputs with warnings: ${rendered.strictFailures.join(', ')}\n`);
    return EXIT.failed;
  }
  if (stale.length) {
    io.stderr.write(`fwgen check: ${stale.length} of ${rendered.files.length} files out of date:\n${stale.map((s) => `  ${s}\n`).join('')}run \`fwgen generate\` to update them\n`);
    return EXIT.failed;
  }
  recordRender(io, file, project, rendered, used, renderStart);
  io.stderr.write(`fwgen check: ${rendered.files.length} files up to date\n`);
  return EXIT.ok;
}
