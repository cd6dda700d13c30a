import type { CommandModule } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  array?: boolean;
  describe: string;
  choices?: readonly string[];
  default?: string | boolean;
  requiresArg?: boolean;
}

export interface PositionalSpec {
  name: string;
  describe: string;
  array?: boolean;
  optional?: boolean;
}

/** A command declared as data: the fast parser and yargs (help, errors) both read it, so flags are written once. */
export interface CommandSpec {
  name: string;
  describe: string;
  positionals: readonly PositionalSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  examples: readonly (readonly [string, string])[];
  load: () => Promise<CommandModule>;
}

const bindingOptions = {
  param: { type: 'string', array: true, requiresArg: true, describe: 'bind a parameter: --param region=eastus (a list parameter takes a,b,c)' },
  option: { type: 'string', array: true, requiresArg: true, describe: 'set an option: --option cloud=china, --option dedicated-data-endpoints=true' },
  bind: { type: 'string', array: true, requiresArg: true, describe: 'bind an endpoint group to addresses: --bind all-kubernetes-nodes=10.0.0.0/16,10.1.0.0/16' },
} as const satisfies Record<string, OptionSpec>;

export const commands: readonly CommandSpec[] = [
  {
    name: 'list',
    describe: 'List the built-in catalogs and the targets',
    positionals: [],
    options: {
      format: { type: 'string', choices: ['table', 'json'], default: 'table', describe: 'output format' },
    },
    examples: [['fwgen list', 'show catalog ids, their parameters, and the targets']],
    load: () => import('./commands/list.js'),
  },
  {
    name: 'show',
    describe: 'Show the expanded requirements of a catalog or file, with provenance',
    positionals: [{ name: 'source', describe: 'a built-in catalog id (see `fwgen list`) or a requirement file; - reads stdin' }],
    options: {
      ...bindingOptions,
      format: { type: 'string', choices: ['table', 'json', 'yaml'], default: 'table', describe: 'output format' },
    },
    examples: [
      ['fwgen show mcr', 'the Microsoft Artifact Registry requirements'],
      ['fwgen show acr --param registry=myreg --param region=eastus --format json', 'ACR requirements as JSON'],
    ],
    load: () => import('./commands/show.js'),
  },
  {
    name: 'validate',
    describe: 'Check requirement files and report every problem with its position',
    positionals: [{ name: 'files', describe: 'requirement files (YAML or JSON); - reads stdin', array: true }],
    options: {},
    examples: [['fwgen validate my-vendor.yaml', 'exit 0 when valid, 2 with file:line:col errors when not']],
    load: () => import('./commands/validate.js'),
  },
];
