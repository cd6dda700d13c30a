import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { hasErrors } from '../../model/diagnostic.js';
import { renderProject } from '../../project/render-project.js';
import { formatDiagnostics } from '../report.js';
import { projectFromArgs } from './project-io.js';

/** Renders in memory and compares with the files on disk; writes nothing. */
export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const project = await projectFromArgs(args, io);
  const rendered = await renderProject(project);
  const problems = rendered.diagnostics.filter((d) => d.severity === 'error');
  if (hasErrors(rendered.diagnostics)) {
    io.stderr.write(formatDiagnostics(problems));
    return EXIT.input;
  }
  const stale: string[] = [];
  for (const f of rendered.files) {
    const name = relative(project.dir, f.path);
    const current = await readFile(f.path, 'utf8').catch(() => undefined);
    if (current === f.contents) continue;
    stale.push(current === undefined ? `${name} (missing)` : name);
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
  io.stderr.write(`fwgen check: ${rendered.files.length} files up to date\n`);
  return EXIT.ok;
}
