import { resolve } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { EXIT } from '../io.js';
import { FwgenError, hasErrors } from '../../model/diagnostic.js';
import { readSource } from '../../load/read-source.js';
import { writeOutputs } from '../../emit/write-outputs.js';
import { formatDiagnostics } from '../report.js';
import { ID_PATTERN, importDocument } from '../../import/index.js';

export async function run(args: CommandArgs, io: CliIo): Promise<number> {
  const doc = String(args.document);
  const id = args.id === undefined ? undefined : String(args.id);
  if (id !== undefined && (!ID_PATTERN.test(id) || id.length > 64)) {
    throw new FwgenError([{ code: 'USAGE', severity: 'error', message: `--id ${id}: an id is lowercase letters, digits and hyphens, starting with a letter or digit, at most 64 characters`, hint: 'e.g. --id my-vendor', params: { id } }]);
  }
  const source = await readSource(doc, io.stdin, io.cwd);
  if ('code' in source) throw new FwgenError([{ ...source, hint: 'give the path of a Markdown, AsciiDoc, reStructuredText or text document, or - for standard input' }]);
  const result = importDocument(source.text, { file: source.file, ...(id !== undefined ? { id } : {}) });
  io.stderr.write(formatDiagnostics(result.diagnostics));
  if (hasErrors(result.diagnostics) || result.yaml === undefined) return EXIT.input;
  if (args.out === undefined) io.stdout.write(result.yaml);
  else await writeOutputs([{ path: resolve(io.cwd, String(args.out)), contents: result.yaml }]);
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning').length;
  io.stderr.write(`import: ${result.requirements} requirement${result.requirements === 1 ? '' : 's'} from ${source.file} (${result.format})${warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'} to review` : ''}\n`);
  return EXIT.ok;
}
