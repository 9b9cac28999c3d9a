export { ERROR_CODE, WarmstartError, isWarmstartError } from "./errors.js";
export { IGNORE_INDEX, LabelError, shiftTokensRight, type LabelErrorCode } from "./labels.js";
export { RandomError, SeededRandom, type RandomErrorCode } from "./random.js";
