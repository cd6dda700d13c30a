/**
 * fwgen's public API. Importing it has no side effects and loads no emitter and no CLI code.
 *
 * ```ts
 * import { compile } from 'fwgen';
 * const { files, diagnostics } = await compile({ catalogs: ['mcr'], target: 'squid' });
 * ```
 */
export type {
  AppProtocol,
  Condition,
  CidrEndpoint,
  Direction,
  Endpoint,
  EndpointEntry,
  EndpointGroup,
  FeedEndpoint,
  GroupEndpoint,
  HostEndpoint,
  HostMatch,
  OptionDef,
  Parameter,
  ParameterKind,
  PortSpec,
  Provenance,
  Requirement,
  RequirementSet,
  ServiceTagEndpoint,
  SourceDocument,
  SourceSpan,
  Transport,
} from './model/requirement-set.js';
export type {
  ResolvedDestination,
  ResolvedEndpoint,
  ResolvedRequirement,
  ResolvedRequirementSet,
  ResolvedSetInfo,
  ServiceTagsInfo,
  FeedInfo,
  FeedProvider,
} from './model/resolved.js';
export type { Diagnostic, Severity } from './model/diagnostic.js';
export { FwgenError, InternalError, hasErrors, sortDiagnostics } from './model/diagnostic.js';
export type { DiagnosticCode } from './model/codes.js';
export { diagnosticCodes } from './model/codes.js';
export type { DocumentFormat, ImportOptions, ImportResult } from './import/index.js';
export { importDocument } from './import/index.js';
export type { LoadResult } from './load/index.js';
export { loadRequirementFile } from './load/index.js';
export { loadRequirementSet } from './load/load-text.js';
export type { ExpandInput, ExpandResult } from './expand/index.js';
export { expand } from './expand/index.js';
export type {
  EmitContext,
  EmitResult,
  Emitter,
  EmitterOptionSpec,
  EmitterOptions,
  Feature,
  Fidelity,
  FidelityTable,
  OutputFile,
} from './emit/emitter.js';
export { features } from './emit/emitter.js';
export { emitTarget } from './emit/run-emitter.js';
export { getEmitter, listTargets, registerEmitter } from './emit/registry.js';
export { writeOutputs } from './emit/write-outputs.js';
export { catalogFile, catalogIds } from './catalogs/index.js';
export { formatDiagnostic, formatDiagnostics } from './cli/report.js';
export { describeEndpoint, describeProvenance } from './model/describe.js';
export { formatPort, parsePort } from './model/port.js';
export type { CompileInput } from './compile.js';
export { compile, emit } from './compile.js';
export { version } from './version.js';
export type { ServiceTag, ServiceTagsData } from './service-tags/index.js';
export { aggregatePrefixes, defaultServiceTagsFile, loadServiceTagsFile, parseServiceTags, resolveServiceTags } from './service-tags/index.js';
export type { EmitEnvironment } from './emit/run-emitter.js';
export { needsServiceTags } from './emit/run-emitter.js';
export type { FeedData, FeedPrefix, FeedSources } from './feeds/index.js';
export { loadFeedFile, parseFeed } from './feeds/index.js';
export type { M365Entry } from './feeds/m365.js';
export { parseM365Endpoints } from './feeds/m365.js';
export type { M365Counts, M365Options, M365Result } from './feeds/m365-set.js';
export { m365ToRequirementSet } from './feeds/m365-set.js';
