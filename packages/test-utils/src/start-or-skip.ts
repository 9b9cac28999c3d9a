/**
 * Runs `start` (e.g. starting a backend) and reports whether the test may go on. When `optional` is true a failure
 * skips the test with the error's message — an optional backend whose addon did not build on this machine — otherwise it
 * fails the test.
 */
export async function startOrSkip(
  t: { skip(message?: string): void },
  start: () => Promise<unknown>,
  optional: boolean,
): Promise<boolean> {
  try {
    await start();
    return true;
  } catch (error) {
    if (!optional) throw error;
    t.skip(error instanceof Error ? error.message : String(error));
    return false;
  }
}
