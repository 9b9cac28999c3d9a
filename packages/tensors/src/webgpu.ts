/// <reference types="@webgpu/types" />
import * as tf from "@tensorflow/tfjs";

/** The adapter the webgpu backend runs on, as Dawn describes it. */
export interface WebGpuAdapter {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The native API Dawn drives the GPU through ("vulkan" on Linux, "metal" on macOS, "d3d12" on Windows). */
  api: string;
}

/** A started webgpu backend's adapter, or why none could be started. */
export type WebGpuStart = { adapter: WebGpuAdapter } | { reason: string };

// The API Dawn should use per platform; naming it makes the report say which one runs.
const DAWN_API: Partial<Record<NodeJS.Platform, string>> = { linux: "vulkan", darwin: "metal", win32: "d3d12" };

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let started: Promise<WebGpuStart> | undefined;

/**
 * Registers tfjs-backend-webgpu as backend "webgpu" on the first GPU adapter Dawn (the npm `webgpu` package)
 * finds, without activating it. Software adapters (llvmpipe, SwiftShader) are refused: they are slower than
 * the wasm backend. `WARMSTART_DAWN_BACKEND` overrides the graphics API Dawn uses. Idempotent.
 */
export function registerWebGpu(): Promise<WebGpuStart> {
  started ??= findAndRegister();
  return started;
}

async function findAndRegister(): Promise<WebGpuStart> {
  // WARMSTART_DAWN_BACKEND=null picks Dawn's null device: every call and shader is validated, nothing computes.
  const api = process.env.WARMSTART_DAWN_BACKEND || DAWN_API[process.platform];
  // Checked before Dawn loads, which would otherwise print its own warning on every run without Vulkan.
  if (api === "vulkan" && !vulkanLoaderLoads()) return { reason: NO_VULKAN_LOADER };
  // A variable specifier keeps bundlers from inlining the package: it finds its Dawn binary beside itself.
  const dawnSpecifier: string = "webgpu";
  const dawn = await importOptional("webgpu", () => import(dawnSpecifier) as Promise<DawnModule>);
  if (typeof dawn === "string") return { reason: dawn };
  let gpu: GPU;
  try {
    gpu = dawn.create(api === undefined ? [] : [`backend=${api}`]);
  } catch (error) {
    return { reason: `webgpu (Dawn) could not start: ${(error as Error).message}` };
  }
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  if (adapter === null) {
    return {
      reason: `no GPU adapter: ${api ?? "the platform's graphics API"} reports no usable device (on Linux: no GPU, or no Vulkan ICD for it; VK_DRIVER_FILES can point at the driver's icd.json)`,
    };
  }
  const info = adapter.info;
  const described: WebGpuAdapter = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    api: api ?? "default",
  };
  const name = `${described.vendor} ${described.device} ${described.description}`.trim();
  if (info.isFallbackAdapter || /llvmpipe|lavapipe|swiftshader/i.test(name)) {
    return { reason: `only a software adapter (${name}) was found; it is slower than the wasm backend` };
  }
  const backendModule = await importOptional(
    "@tensorflow/tfjs-backend-webgpu",
    () => import("@tensorflow/tfjs-backend-webgpu"),
  );
  if (typeof backendModule === "string") return { reason: backendModule };
  exposeAsBrowserGlobals(gpu, dawn.globals);
  let device: GPUDevice;
  try {
    // tfjs-backend-webgpu sizes its buffers against these limits; the defaults (256 MiB buffers) are too
    // small for base-size attention at long sequences.
    const limits = adapter.limits;
    device = await adapter.requestDevice({
      requiredFeatures: adapter.features.has("timestamp-query") ? ["timestamp-query"] : [],
      requiredLimits: {
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      },
    });
  } catch (error) {
    return { reason: `GPU adapter ${name} refused a device: ${(error as Error).message}` };
  }
  // tfjs-backend-webgpu registers its own factory only where `navigator.gpu` exists (never in Node 20).
  if (tf.findBackendFactory("webgpu") !== null) tf.removeBackend("webgpu");
  tf.registerBackend("webgpu", () => new backendModule.WebGPUBackend(device, info));
  return { adapter: described };
}

/**
 * tfjs-backend-webgpu refuses to construct without `navigator.gpu` and uses WebGPU's classes and constants
 * (`GPUBuffer`, `GPUBufferUsage`, ...) as browser globals.
 */
function exposeAsBrowserGlobals(gpu: GPU, globals: Record<string, unknown>): void {
  const scope = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) scope[name] ??= value;
  // Node 20 has no `navigator`; Node 21+ has one without `gpu`.
  const navigator = scope.navigator as Record<string, unknown> | undefined;
  if (navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
  } else if (navigator.gpu === undefined) {
    Object.defineProperty(navigator, "gpu", { value: gpu, configurable: true });
  }
}

async function importOptional<T>(pkg: string, load: () => Promise<T>): Promise<T | string> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return `${pkg} is not installed (optional)`;
    return `${pkg} failed to load: ${(error as Error).message}`;
  }
}

const NO_VULKAN_LOADER = "no Vulkan loader (libvulkan.so.1): install libvulkan1 and the GPU driver's Vulkan ICD";

/** Whether the dynamic linker can load libvulkan.so.1, the library Dawn's Vulkan backend needs. */
function vulkanLoaderLoads(): boolean {
  try {
    // dlopen succeeds and only the Node-addon registration fails for a plain shared library.
    process.dlopen({ exports: {} }, "libvulkan.so.1");
    return true;
  } catch (error) {
    return !/cannot open shared object file/.test((error as Error).message);
  }
}
