import { WarmstartError } from "@warmstart/core";

/** Why the native backend cannot be used or was misused; `code` says which. */
export class NativeBackendError extends WarmstartError<
  "NATIVE_UNAVAILABLE" | "NO_CPU_BACKEND" | "BAD_SHAPES" | "BAD_THREADS" | "BAD_INPUT"
> {
  override readonly name = "NativeBackendError";
}
