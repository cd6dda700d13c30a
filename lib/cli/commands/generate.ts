import { relative } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { hasErrors } from '../../model/diagnostic.js';
import { renderProject } from '../../project/render-project.js';
import { writeOutputs } from '../../emit/write-outputs.js';
import { formatDiagnostics } from '../report.js';
import { projectFromArgs } from './project-io.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const project = await projectFromArgs(args, io);
  const rendered = await renderProject(project);
  io.stderr.write(formatDiagnostics(rendered.diagnostics));
  if (hasErrors(rendered.diagnostics)) {
    io.stderr.write('fwgen generate: nothing written\n');
    return EXIT.input;
  }
  if (rendered.strictFailures.length) {
    io.stderr.write(`fwgen generate: strict outputs with warnings: ${rendered.strictFailures.join(', ')}; nothing written\n`);
    return EXIT.failed;
  }
  const written = await writeOutputs(rendered.files);
  for (const f of written) io.stderr.write(`wrote ${relative(project.dir, f)}\n`);
  io.stderr.write(`fwgen generate: ${written.length} written, ${rendered.files.length - written.length} unchanged\n`);
  return args['exit-code'] && written.length > 0 ? EXIT.failed : EXIT.ok;
}
