import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { loadRequirementFile } from '../../load/index.js';
import { formatDiagnostics } from '../report.js';
import { sourceFile } from '../inputs.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const files = (args.files as string[]).map((f) => sourceFile(f, io.cwd, 'file'));
  let failed = false;
  for (const file of files) {
    const r = await loadRequirementFile(file, io);
    io.stderr.write(formatDiagnostics(r.diagnostics));
    if (r.set) io.stdout.write(`${file === '-' ? '<stdin>' : file}: ok, ${r.set.requirements.length} requirement${r.set.requirements.length === 1 ? '' : 's'} in set "${r.set.id}"\n`);
    else failed = true;
  }
  return failed ? EXIT.input : EXIT.ok;
}
