export { ERROR_CODE, WarmstartError, isWarmstartError } from "./errors.js";
