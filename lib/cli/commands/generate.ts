import { relative } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { hasErrors } from '../../model/diagnostic.js';
import { writeOutputs } from '../../emit/write-outputs.js';
import { formatDiagnostics } from '../report.js';
import { maxTagsAge, tagsAgeWarnings } from '../tags-age.js';
import { feedAgeWarnings, maxFeedAge } from '../feeds.js';
import { projectFileFromArgs, projectFromArgs, recordRender, serviceTagsUsed } from './project-io.js';
import { readState, stateHolds } from '../../project/check-state.js';
import { resolveServiceTagsPath } from '../../service-tags/locate.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const file = projectFileFromArgs(args, io);
  if (!args.full) {
    // Every input and output as the last render left them (see check): nothing to write, the same warnings.
    const state = readState(io.env, file);
    if (state && stateHolds(state, file, (p) => resolveServiceTagsPath(p).file)) {
      const feedAges = await feedAgeWarnings(state.feeds, await maxFeedAge(args, state.maxFeedAge), io.env);
      io.stderr.write(formatDiagnostics([...state.diagnostics, ...tagsAgeWarnings(state.serviceTags, maxTagsAge(args, state.maxTagsAge), io.env), ...feedAges]));
      io.stderr.write(`fwgen generate: 0 written, ${state.outputs.length} unchanged (nothing rendered: no input changed since the last render)\n`);
      return EXIT.ok;
    }
  }
  const project = await projectFromArgs(args, io, file);
  const maxAge = maxTagsAge(args, project.maxTagsAge);
  const renderStart = Date.now();
  const { renderProject } = await import('../../project/render-project.js');
  const rendered = await renderProject(project);
  const used = serviceTagsUsed(rendered);
  const feedAges = await feedAgeWarnings(rendered.feeds, await maxFeedAge(args, project.maxFeedAge), io.env);
  io.stderr.write(formatDiagnostics([...rendered.diagnostics, ...tagsAgeWarnings(used, maxAge, io.env), ...feedAges]));
  if (hasErrors(rendered.diagnostics)) {
    io.stderr.write('fwgen generate: nothing written\n');
    return EXIT.input;
  }
  if (rendered.strictFailures.length) {
    io.stderr.write(`fwgen generate: strict outputs with warnings: ${rendered.strictFailures.join(', ')}; nothing written\n`);
    return EXIT.failed;
  }
  const written = await writeOutputs(rendered.files);
  recordRender(io, file, project, rendered, used, renderStart);
  for (const f of written) io.stderr.write(`wrote ${relative(project.dir, f)}\n`);
  io.stderr.write(`fwgen generate: ${written.length} written, ${rendered.files.length - written.length} unchanged\n`);
  return args['exit-code'] && written.length > 0 ? EXIT.failed : EXIT.ok;
}
