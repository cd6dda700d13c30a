// fwgen as a library: compile a built-in catalog for Squid and print what the target could not express.
// `npm test` type-checks this file against the built package's types, so it cannot rot.
import { compile, expand, formatDiagnostics, FwgenError, loadRequirementFile, catalogFile, emit, type Diagnostic } from 'fwgen';

async function main(): Promise<void> {
  // One call: load, expand, emit.
  const { files, diagnostics } = await compile({ catalogs: ['mcr'], target: 'squid', options: { cloud: 'public' } });
  process.stdout.write(files[0]!.contents);
  process.stderr.write(formatDiagnostics(diagnostics));

  // Or step by step, keeping the expanded set to emit it for several targets.
  const loaded = await loadRequirementFile(catalogFile('acr')!);
  if (!loaded.set) throw new FwgenError(loaded.diagnostics);
  const expanded = expand([loaded.set], { params: { registry: 'myregistry', region: 'eastus' } });
  if (!expanded.set) throw new FwgenError(expanded.diagnostics);
  for (const target of ['squid', 'azure-nsg']) {
    const result = await emit(expanded.set, target);
    const dropped: Diagnostic[] = result.diagnostics.filter((d) => d.code === 'FIDELITY_DROPPED');
    console.error(`${target}: ${result.files.map((f) => f.path).join(', ')}; ${dropped.length} dropped`);
  }
}

main().catch((e: unknown) => {
  if (e instanceof FwgenError) process.stderr.write(formatDiagnostics(e.diagnostics));
  else throw e;
  process.exitCode = 2;
});
