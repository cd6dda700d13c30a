import { relative, resolve } from 'node:path';
import type { CliIo, CommandArgs } from '../io.js';
import { FwgenError } from '../../model/diagnostic.js';
import { findProjectFile, loadProject, type Project } from '../../project/load-project.js';
import type { RenderedProject } from '../../project/render-project.js';
import { writeState, type StateRecord } from '../../project/check-state.js';

/** The project file from --config, or the nearest fwgen.yaml upwards from the working directory; not read. */
export function projectFileFromArgs(args: CommandArgs, io: CliIo): string {
  const file = args.config === undefined ? findProjectFile(io.cwd) : resolve(io.cwd, String(args.config));
  if (!file) {
    throw new FwgenError([
      { code: 'USAGE', severity: 'error', message: `no fwgen.yaml in ${io.cwd} or any folder above it`, hint: 'create one (see README, "Checked-in rules") or pass --config FILE', params: {} },
    ]);
  }
  return file;
}

/** The project from --config, or the nearest fwgen.yaml upwards from the working directory. */
export async function projectFromArgs(args: CommandArgs, io: CliIo, file = projectFileFromArgs(args, io)): Promise<Project> {
  // Named relative to the working directory, as a user would type it.
  const r = await loadProject(relative(io.cwd, file) || file, io.cwd);
  if (!r.project) throw new FwgenError(r.diagnostics);
  return r.project;
}

/** The Service Tags files a render used, as the age warnings and the check state record them. */
export function serviceTagsUsed(rendered: RenderedProject): StateRecord['serviceTags'] {
  return rendered.serviceTags.map((t) => ({ file: t.file, changeNumber: t.info.changeNumber, ...(t.info.date ? { date: t.info.date } : {}), outputs: t.outputs }));
}

/** After a render whose outputs are now the files on disk (a clean check, a generate that wrote them): the state. */
export function recordRender(io: CliIo, file: string, project: Project, rendered: RenderedProject, used: StateRecord['serviceTags'], renderStart: number): void {
  if (!rendered.read.files) return;
  writeState(io.env, {
    projectFile: file,
    inputs: rendered.read.files,
    folders: rendered.read.folders,
    catalogs: rendered.read.catalogs,
    outputs: rendered.files,
    serviceTags: used,
    ...(project.maxTagsAge !== undefined ? { maxTagsAge: project.maxTagsAge } : {}),
    ...(rendered.feeds.length ? { feeds: rendered.feeds } : {}),
    ...(project.maxFeedAge !== undefined ? { maxFeedAge: project.maxFeedAge } : {}),
    diagnostics: rendered.diagnostics,
    renderStart,
  });
}
