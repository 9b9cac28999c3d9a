/** Why the native backend cannot be used or was misused; `code` says which. */
export class NativeBackendError extends Error {
  readonly code: "NATIVE_UNAVAILABLE" | "NO_CPU_BACKEND" | "BAD_SHAPES" | "BAD_THREADS" | "BAD_INPUT";

  constructor(code: NativeBackendError["code"], message: string) {
    super(message);
    this.name = "NativeBackendError";
    this.code = code;
  }
}
