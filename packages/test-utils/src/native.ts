// The optional native backend (@warmstart/tensors-native) is skipped where its addon did not build, but it is the
// default backend wherever it did: CI sets WARMSTART_REQUIRE_NATIVE=1 so that a missing addon fails its suites
// instead of leaving the default backend untested behind a green run.

/** Whether a test of the native backend may skip where its addon is unavailable: not where WARMSTART_REQUIRE_NATIVE=1. */
export function nativeMaySkip(): boolean {
  return process.env.WARMSTART_REQUIRE_NATIVE !== "1";
}

/**
 * For `test(name, { skip: nativeSkipReason(isAvailable(), unavailableReason) }, ...)`: false where the addon is
 * available, otherwise why the test is skipped; an error where WARMSTART_REQUIRE_NATIVE=1 (CI).
 */
export function nativeSkipReason(available: boolean, unavailableReason: () => string | undefined): string | false {
  if (available) return false;
  const reason = unavailableReason() ?? "no reason recorded";
  if (!nativeMaySkip()) {
    throw new Error(`WARMSTART_REQUIRE_NATIVE=1 but the native addon is unavailable: ${reason}`);
  }
  return `native addon unavailable: ${reason}`;
}
