/** Shared by the golden-file runner and specs that reuse its fixtures: a case's args.json and its command line. */

export interface CaseArgs {
  params?: Record<string, string | string[]>;
  options?: Record<string, string | boolean>;
  bind?: Record<string, string | string[]>;
  /** Target options, by target id: `{ "squid": { "subdomains": "widen" } }`. */
  set?: Record<string, Record<string, string | boolean | number>>;
  /** Targets to run even without expected files yet (UPDATE_GOLDEN=1 then creates them). */
  targets?: string[];
  /** Expected exit code (default 0 when rules are expected, else 2). */
  exit?: number;
}

/** The `fwgen emit` command line for one case and target. */
export function emitArgv(target: string, args: CaseArgs, input = 'input.yaml'): string[] {
  const argv = ['emit', '--file', input, '--target', target];
  const list = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  for (const [k, v] of Object.entries(args.params ?? {})) argv.push('--param', `${k}=${list(v)}`);
  for (const [k, v] of Object.entries(args.options ?? {})) argv.push('--option', `${k}=${String(v)}`);
  for (const [k, v] of Object.entries(args.bind ?? {})) argv.push('--bind', `${k}=${list(v)}`);
  for (const [k, v] of Object.entries(args.set?.[target] ?? {})) argv.push('--set', `${k}=${String(v)}`);
  return argv;
}
