export {
  createServer,
  toServeError,
  type DrainResult,
  type ServableModel,
  type ServeHandle,
  type ServeOptions,
} from "./server.js";
export { ServeError, errorBody, type ErrorBody, type ServeErrorCode } from "./errors.js";
export { ServeMetrics } from "./metrics.js";
export {
  BatchScheduler,
  CancelledRowsCriteria,
  type BatchGenerator,
  type RowJob,
  type RowOutcome,
  type SchedulerOptions,
} from "./scheduler.js";
export { RowFanOutStreamer, type RowTextSink } from "./row-streamer.js";
export {
  GENERATION_FIELDS,
  generateBodySchema,
  generationConfigOf,
  type GenerateRequestBody,
  type GenerationField,
} from "./request-schema.js";
export type { ServeTokenizer } from "./tokenizer.js";
