import type { CommandModule } from './io.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  array?: boolean;
  describe: string;
  choices?: readonly string[];
  default?: string | boolean;
  requiresArg?: boolean;
  demand?: boolean;
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

const emitterOption = {
  emitter: { type: 'string', array: true, requiresArg: true, describe: 'load a third-party target: a path to an ES module or a package name (repeatable)' },
} as const satisfies Record<string, OptionSpec>;

const tagsAgeOption = {
  'max-tags-age': { type: 'string', requiresArg: true, describe: 'warn when the Service Tags file used is older than DAYS (by the date in its name; default 30, or maxTagsAge in fwgen.yaml; 0: never)' },
} as const satisfies Record<string, OptionSpec>;

const feedAgeOption = {
  'max-feed-age': { type: 'string', requiresArg: true, describe: 'warn when an address feed used is older than DAYS (by the date inside it; default 30, or maxFeedAge in fwgen.yaml; 0: never)' },
} as const satisfies Record<string, OptionSpec>;

const bindingOptions = {
  param: { type: 'string', array: true, requiresArg: true, describe: 'bind a parameter: --param region=eastus (a list parameter takes a,b,c)' },
  option: { type: 'string', array: true, requiresArg: true, describe: 'set an option: --option cloud=china, --option dedicated-data-endpoints=true' },
  bind: { type: 'string', array: true, requiresArg: true, describe: 'bind an endpoint group to addresses: --bind all-kubernetes-nodes=10.0.0.0/16,10.1.0.0/16' },
  feed: { type: 'string', array: true, requiresArg: true, describe: 'an address feed file for addressFeed: endpoints: --feed aws=ip-ranges.json, --feed gcp=cloud.json, --feed github=meta.json' },
} as const satisfies Record<string, OptionSpec>;

export const commands: readonly CommandSpec[] = [
  {
    name: 'list',
    describe: 'List the built-in catalogs and the targets',
    positionals: [],
    options: {
      format: { type: 'string', choices: ['table', 'json'], default: 'table', describe: 'output format' },
      target: { type: 'string', requiresArg: true, describe: "one target's options and what it cannot express" },
      ...emitterOption,
    },
    examples: [
      ['fwgen list', 'show catalog ids, their parameters, and the targets'],
      ['fwgen list --target squid', "the squid target's options (--set) and fidelity"],
      ['fwgen list --emitter ./my-target.js', 'include a third-party target'],
    ],
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
    name: 'emit',
    describe: 'Compile requirements into rules for one target',
    positionals: [],
    options: {
      catalog: { type: 'string', array: true, requiresArg: true, describe: 'a built-in catalog id (repeatable)' },
      file: { type: 'string', array: true, requiresArg: true, describe: 'a requirement file, YAML or JSON (repeatable); - reads stdin' },
      target: { type: 'string', requiresArg: true, describe: 'the target format (see `fwgen list`)', demand: true },
      ...bindingOptions,
      set: { type: 'string', array: true, requiresArg: true, describe: 'a target option: --set final-deny=false (see `fwgen list --target T`)' },
      'service-tags': { type: 'string', requiresArg: true, describe: 'an Azure Service Tags JSON file, or a folder of ServiceTags_<cloud>_YYYYMMDD.json files (the newest is used); default: the snapshot shipped with fwgen' },
      ...tagsAgeOption,
      ...feedAgeOption,
      out: { type: 'string', requiresArg: true, describe: 'write here (temp file, then rename) instead of stdout' },
      strict: { type: 'boolean', describe: 'exit 1, writing nothing, when any rule is widened, narrowed, dropped or broad' },
      ...emitterOption,
    },
    examples: [
      ['fwgen emit --catalog mcr --target squid > allow.conf', 'a Squid fragment for Microsoft Artifact Registry'],
      ['fwgen emit --catalog acr --param registry=myreg --param region=eastus --target squid --out acr.conf', 'ACR, written atomically'],
    ],
    load: () => import('./commands/emit.js'),
  },
  {
    name: 'diff',
    describe: 'Compare two requirement sets by what they allow: destinations, ports and sources added and removed',
    positionals: [
      { name: 'old', describe: 'a catalog id or requirement file' },
      { name: 'new', describe: 'a catalog id or requirement file' },
    ],
    options: {
      ...bindingOptions,
      'old-param': { type: 'string', array: true, requiresArg: true, describe: 'a parameter for the old side only' },
      'new-param': { type: 'string', array: true, requiresArg: true, describe: 'a parameter for the new side only' },
      'old-option': { type: 'string', array: true, requiresArg: true, describe: 'an option for the old side only' },
      'new-option': { type: 'string', array: true, requiresArg: true, describe: 'an option for the new side only' },
    },
    examples: [
      ['fwgen diff mcr mcr --new-option cloud=china', 'what switching MAR to its China endpoints changes'],
      ['fwgen diff vendor-v1.yaml vendor-v2.yaml', 'what a new version of a vendor document adds and removes'],
    ],
    load: () => import('./commands/diff.js'),
  },
  {
    name: 'explain',
    describe: 'Which requirements allow HOST[:PORT], and whether each target would let it through',
    positionals: [{ name: 'destination', describe: 'HOST or HOST:PORT, e.g. a.data.mcr.microsoft.com:443' }],
    options: {
      catalog: { type: 'string', array: true, requiresArg: true, describe: 'a built-in catalog id (repeatable)' },
      file: { type: 'string', array: true, requiresArg: true, describe: 'a requirement file (repeatable)' },
      target: { type: 'string', array: true, requiresArg: true, describe: 'targets to ask (default: all)' },
      ...bindingOptions,
      set: { type: 'string', array: true, requiresArg: true, describe: 'a target option, e.g. --set subdomains=widen' },
      ...emitterOption,
    },
    examples: [
      ['fwgen explain a.b.data.mcr.microsoft.com:443 --catalog mcr', 'required, allowed by squid, one label too deep for cilium'],
      ['fwgen explain data.mcr.microsoft.com --catalog mcr --target squid --set subdomains=widen', 'the apex a widened rule lets through'],
    ],
    load: () => import('./commands/explain.js'),
  },
  {
    name: 'generate',
    describe: 'Render every output of fwgen.yaml and write the files that changed',
    positionals: [],
    options: {
      config: { type: 'string', requiresArg: true, describe: 'the project file (default: fwgen.yaml here or above)' },
      'exit-code': { type: 'boolean', describe: 'exit 1 when any file was written (the pre-commit hook: pre-commit itself sees only changed tracked files, not new ones)' },
      full: { type: 'boolean', describe: 'render every output even when the state of the last render shows nothing changed' },
      ...tagsAgeOption,
      ...feedAgeOption,
    },
    examples: [
      ['fwgen generate', 'regenerate checked-in rule files; unchanged files are not touched'],
      ['fwgen generate --exit-code', 'the same, failing when anything was written, so a commit stops for review'],
    ],
    load: () => import('./commands/generate.js'),
  },
  {
    name: 'check',
    describe: 'Exit 1 with a diff when checked-in rule files differ from what fwgen.yaml generates (pre-commit)',
    positionals: [],
    options: {
      config: { type: 'string', requiresArg: true, describe: 'the project file (default: fwgen.yaml here or above)' },
      full: { type: 'boolean', describe: 'render and compare every output even when the state of the last render shows nothing changed' },
      ...tagsAgeOption,
      ...feedAgeOption,
    },
    examples: [
      ['fwgen check', 'writes nothing in the project; 0 when current, 1 when stale or missing, 2 on bad input'],
      ['fwgen check --full', 'the same, rendering every output whatever the state in the cache folder says'],
    ],
    load: () => import('./commands/check.js'),
  },
  {
    name: 'service-tags',
    describe: 'Install a newer Azure Service Tags file (update), or show what changed between two (diff)',
    positionals: [
      { name: 'action', describe: 'update: check a downloaded file and install it; diff OLD NEW: the prefixes each tag gained and lost' },
      { name: 'files', describe: 'for diff: the old and the new Service Tags file (files or folders)', array: true, optional: true },
    ],
    options: {
      from: { type: 'string', requiresArg: true, describe: "update: a downloaded file, its URL, or a download page that links to it (default: Microsoft's download page for the cloud)" },
      cloud: { type: 'string', choices: ['Public', 'AzureChina', 'AzureUSGovernment'], describe: 'update: the cloud the file must be for (default: the installed file\'s, else Public)' },
      out: { type: 'string', requiresArg: true, describe: "update: install here: a folder (the file keeps Microsoft's dated name) or a file (default: defaults.serviceTags of fwgen.yaml)" },
      config: { type: 'string', requiresArg: true, describe: 'update: the project file whose defaults.serviceTags to install into (default: fwgen.yaml here or above)' },
      date: { type: 'string', requiresArg: true, describe: 'update: the publication date (YYYY-MM-DD) when the file\'s name carries none' },
      timeout: { type: 'string', requiresArg: true, describe: 'update: seconds to wait for a download (default 60)' },
      tag: { type: 'string', array: true, requiresArg: true, describe: 'diff: only this tag (repeatable), e.g. AzureContainerRegistry.EastUS' },
      format: { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'diff: output format' },
    },
    examples: [
      ['fwgen service-tags update --from ServiceTags_Public_20251104.json', 'check a download and install it into the folder fwgen.yaml names (defaults.serviceTags)'],
      ['fwgen service-tags update --from https://www.microsoft.com/en-us/download/details.aspx?id=56519 --out service-tags/', "fetch the newest file from Microsoft's page"],
      ['fwgen service-tags diff ServiceTags_Public_20251028.json ServiceTags_Public_20251104.json --tag Storage.EastUS', 'the prefixes a tag gained and lost'],
    ],
    load: () => import('./commands/service-tags.js'),
  },
  {
    name: 'feed',
    describe: 'Address and endpoint feeds: what a new AWS, Google or GitHub file adds and removes (diff), or a Microsoft 365 endpoints file as a requirement set (m365)',
    positionals: [
      { name: 'action', describe: 'diff OLD NEW: the prefixes each service gained and lost; m365 FILE: write a requirement set from the endpoints JSON' },
      { name: 'files', describe: 'for diff: the old and the new feed file; for m365: the endpoints file', array: true, optional: true },
    ],
    options: {
      type: { type: 'string', choices: ['aws', 'gcp', 'github'], describe: 'diff: which feed the files are (default: told from their keys)' },
      service: { type: 'string', array: true, requiresArg: true, describe: 'diff: only this service (AWS, Google) or list (GitHub key), repeatable, e.g. S3' },
      region: { type: 'string', requiresArg: true, describe: 'diff: only this region (AWS) or scope (Google)' },
      format: { type: 'string', choices: ['text', 'json'], default: 'text', describe: 'diff: output format' },
      'service-areas': { type: 'string', requiresArg: true, describe: 'm365: only these service areas, comma-separated (Exchange, SharePoint, Skype, Common)' },
      categories: { type: 'string', requiresArg: true, describe: 'm365: only these categories, comma-separated (Optimize, Allow, Default)' },
      'required-only': { type: 'boolean', describe: 'm365: only entries marked required' },
      'feed-version': { type: 'string', requiresArg: true, describe: 'm365 (--version is fwgen\'s own): the endpoints version (the `latest` of the version web method, e.g. 2025103000), named in the set\'s provenance' },
      instance: { type: 'string', requiresArg: true, describe: 'm365: the instance the file is for (default Worldwide)' },
      id: { type: 'string', requiresArg: true, describe: 'm365: the set id (default m365)' },
      out: { type: 'string', requiresArg: true, describe: 'm365: write here (temp file, then rename) instead of stdout' },
    },
    examples: [
      ['fwgen feed diff ip-ranges-old.json ip-ranges.json --service S3 --region us-east-1', 'the S3 us-east-1 prefixes an AWS update adds and removes'],
      ['fwgen feed m365 worldwide.json --feed-version 2025103000 --service-areas Exchange,Common --required-only --out m365.yaml', 'a requirement set for every target'],
    ],
    load: () => import('./commands/feed.js'),
  },
  {
    name: 'import',
    describe: 'Draft a requirement set from a vendor document (Markdown, AsciiDoc, reStructuredText or text), for review',
    positionals: [{ name: 'document', describe: 'the vendor document; - reads stdin' }],
    options: {
      id: { type: 'string', requiresArg: true, describe: 'the set id (default: the file name, as an id)' },
      out: { type: 'string', requiresArg: true, describe: 'write here (temp file, then rename) instead of stdout' },
    },
    examples: [
      ['fwgen import vendor-network.md > vendor.yaml', 'a draft with provenance; warnings name what to review'],
      ['fwgen import - --id acme < doc.md | fwgen validate -', 'from stdin, checked at once'],
    ],
    load: () => import('./commands/import.js'),
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
