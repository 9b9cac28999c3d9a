export { resolveModel } from "./resolve-model.js";
export type { ResolveModelOptions } from "./resolve-model.js";
export type { DownloadProgress, ProgressCallback } from "./download-file.js";
export { HubError } from "./errors.js";
export type { HubErrorCode, HubErrorDetails } from "./errors.js";
export { resolveSettings, DEFAULT_HUB_URL } from "./settings.js";
export type { HubSettings, HubSettingsOptions } from "./settings.js";
export { TOKENIZER_FILES } from "./select-files.js";
