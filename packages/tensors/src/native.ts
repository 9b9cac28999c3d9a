/*
 * @warmstart/tensors-native is an optional dependency: a browser bundle or a wasm-only install
 * (`--no-optional`, or a platform where node-gyp cannot run) has no native addon to build, so nothing here
 * imports it statically. It is imported once, on first need (initBackend, the diagnostics below), and a
 * missing package is a reason like any other backend's, never a crash at import time.
 */
import type * as TensorsNative from "@warmstart/tensors-native";
import { BackendError } from "./backend.js";
import { backendHasKernel } from "./ops/backend_traits.js";

type NativePackage = typeof TensorsNative;
export type NativeBuildInfo = TensorsNative.NativeBuildInfo;
/** The fused kernels only the native backend registers. */
export type NativeKernel = keyof NativePackage["NATIVE_KERNEL_NAMES"];

export const NATIVE_NOT_INSTALLED =
  "@warmstart/tensors-native is not installed (an optional dependency of @warmstart/tensors, left out by " +
  "--no-optional and wasm-only installs); install it to use the native backend";

let loading: Promise<NativePackage | { reason: string }> | undefined;
let loaded: NativePackage | undefined;

/** The native backend package, or why it cannot be imported; imported at most once. */
export function loadNative(): Promise<NativePackage | { reason: string }> {
  loading ??= import("@warmstart/tensors-native").then(
    (module) => (loaded = module),
    (error: unknown) => {
      const code = (error as { code?: string }).code;
      // Only the package itself being absent means "not installed"; a package that fails to load says why.
      const absent =
        (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
        (error as Error).message.includes("@warmstart/tensors-native");
      return {
        reason: absent ? NATIVE_NOT_INSTALLED : `@warmstart/tensors-native failed to load: ${(error as Error).message}`,
      };
    },
  );
  return loading;
}

/** The native package once something imported it (initBackend, the diagnostics), else undefined; never imports. */
export function loadedNative(): NativePackage | undefined {
  return loaded;
}

/**
 * Whether the active backend runs `kernel` natively. Synchronous, for the ops' hot paths: only a native
 * backend that initBackend started has the kernel, and starting it imported the package.
 */
export function hasNativeKernel(kernel: NativeKernel): boolean {
  return loaded !== undefined && backendHasKernel(loaded.NATIVE_KERNEL_NAMES[kernel]);
}

/** The registered name of a native kernel; only reached after hasNativeKernel said it is there. */
export function nativeKernelName(kernel: NativeKernel): string {
  if (loaded === undefined) {
    throw new BackendError(
      "BACKEND_NOT_INITIALISED",
      "native",
      `the native kernel ${kernel} was asked for before initBackend() loaded the native backend`,
    );
  }
  return loaded.NATIVE_KERNEL_NAMES[kernel];
}

/**
 * What the native backend was built with (OpenBLAS and its version and core, or the bundled GEMM), or why
 * there is none: its addon did not build, or the package is not installed. Never throws (for `warmstart doctor`).
 */
export async function nativeBuildInfo(): Promise<NativeBuildInfo> {
  const native = await loadNative();
  return "reason" in native ? { available: false, reason: native.reason } : native.nativeBuildInfo();
}

/** What the native addon runs on (kernel family, thread counts); throws with the reason where there is no addon. */
export async function nativeInfo(): Promise<ReturnType<NativePackage["nativeInfo"]>> {
  const native = await loadNative();
  if ("reason" in native) throw new BackendError("BACKEND_UNAVAILABLE", "native", native.reason);
  return native.nativeInfo();
}
