import type { TensorInfo } from "@tensorflow/tfjs";
import { addon } from "../addon.js";
import { float32Values, type NativeKernel } from "../cpu_backend.js";

/** tfjs kernel name → the addon's unary op code (native/warmstart_native.c). */
export const UNARY_OPS = { Exp: 0, Erf: 1, Tanh: 2, Rsqrt: 3, Sqrt: 4, Log: 5, Sigmoid: 6 } as const;

/** A float32 elementwise kernel whose per-element libm call runs natively on all threads. */
export function unary(op: number): NativeKernel {
  return ({ inputs, backend }) => {
    const { x } = inputs as { x: TensorInfo };
    const values = float32Values(backend, x);
    if (values === undefined) return undefined;
    const out = new Float32Array(values.length);
    if (values.length > 0) addon().unary(values, out, op);
    return backend.makeTensorInfo([...x.shape], "float32", out);
  };
}
