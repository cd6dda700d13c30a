import { expect } from 'chai';
import { join } from 'node:path';
import { compile, type CompileInput } from '../../lib/compile.js';
import { loadProject } from '../../lib/project/load-project.js';
import { renderProject } from '../../lib/project/render-project.js';
import { loadEmitterModule } from '../../lib/emit/load-plugin.js';

// renderProject loads each file once and expands each binding once for all outputs: the files must be exactly what
// each output gives compiled on its own, so no stage may change a set another output still reads.
describe('outputs sharing loaded and expanded sets', () => {
  it('renders examples/all-targets as each output compiled alone does', async function () {
    this.timeout(60_000);
    const dir = join(import.meta.dirname, '..', '..', 'examples', 'all-targets');
    const { project, diagnostics } = await loadProject(join(dir, 'fwgen.yaml'));
    expect(diagnostics.filter((d) => d.severity === 'error')).to.deep.equal([]);
    const shared = await renderProject(project!);
    expect(shared.files.length).to.be.greaterThan(20);
    for (const spec of project!.emitters) await loadEmitterModule(spec, project!.dir);
    const alone: { path: string; contents: string }[] = [];
    // Reversed, so an output that changed a shared set would show in the ones rendered after it either way.
    for (const output of [...project!.outputs].reverse()) {
      const input: CompileInput = { catalogs: output.catalogs, files: output.files, params: output.params, options: output.options, bind: output.bind, target: output.target, targetOptions: output.set };
      if (output.serviceTags) input.serviceTags = output.serviceTags;
      const r = await compile(input);
      for (const f of r.files) alone.push({ path: r.files.length === 1 ? output.path : join(output.path, f.path), contents: f.contents });
    }
    const byPath = (xs: { path: string; contents: string }[]) => Object.fromEntries(xs.map((f) => [f.path, f.contents]));
    expect(byPath(shared.files)).to.deep.equal(byPath(alone));
  });
});
