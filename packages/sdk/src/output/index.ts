// Output folders on their own entry (`@agent-factory/sdk/output`): commands that only write a batch's
// results load the queue and these files, not the providers, research and MCP the library brings.
export { checkIndexFree, indexOwner, type IndexOwner } from './index-owner.js';
export { DEFAULT_DIRS, LAYOUTS, LayoutSchema, type Layout } from './layout.js';
export { OutputFolder, type FolderChanges, type OutputFolderOptions } from './output-folder.js';
export type { PluginManifest } from './plugin-manifest.js';
export type { WrittenAgent } from './write-agent.js';
export { writeBatchResults, type ResultsSummary } from './write-results.js';
export { FactoryInputError } from '../errors.js';
