import { adamwUpdate, tf } from "@warmstart/tensors";
import { TrainingError } from "../errors.js";
import { decaysWeight } from "./decay.js";

export interface AdamWOptions {
  /** β1, β2 of Adam; PyTorch's defaults (0.9, 0.999). */
  betas?: [number, number];
  /** Added to the bias-corrected √v̂ (PyTorch placement); default 1e-8. */
  eps?: number;
  /** Decoupled decay coefficient λ (weights shrink by lr·λ per update); default 0.01 as in torch.optim.AdamW. */
  weightDecay?: number;
  /** Which parameters decay, by HF name; default {@link decaysWeight} (no decay on biases and norm weights). */
  decays?: (name: string) => boolean;
}

/** One parameter's update input: its HF name, its variable and its (already averaged and clipped) gradient. */
export interface ParameterGradient {
  name: string;
  variable: tf.Variable;
  grad: Float32Array;
}

/** Adam moments of one parameter; `step` counts the updates it received, as PyTorch keeps it per parameter. */
export interface AdamWParameterState {
  step: number;
  expAvg: Float32Array;
  expAvgSq: Float32Array;
}

export interface AdamWState {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  parameters: Map<string, AdamWParameterState>;
}

/**
 * AdamW exactly as `torch.optim.AdamW` (amsgrad off): for each parameter,
 * θ ← θ·(1 − lr·λ); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * θ ← θ − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + ε).
 *
 * The element loop is @warmstart/tensors' `adamwUpdate` (native where the addon is loaded, else JS, same bits).
 * Moments live in plain Float32Arrays in JS memory rather than in tensors: the wasm heap is capped at 4 GiB,
 * and weights + gradients + moments of a base-size model do not fit in it. Each update writes a brand-new
 * tensor into the variable (`assign`), because the wasm backend caches packed matmul operands by tensor
 * data id and would silently keep using the old values after an in-place write.
 */
export class AdamW {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly #decays: (name: string) => boolean;
  #parameters = new Map<string, AdamWParameterState>();

  constructor(options: AdamWOptions = {}) {
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.#decays = options.decays ?? decaysWeight;
    const [b1, b2] = this.betas;
    for (const [field, value] of [
      ["betas[0]", b1],
      ["betas[1]", b2],
    ] as const) {
      if (!(value >= 0 && value < 1)) {
        throw new TrainingError("INVALID_OPTION", `AdamW ${field} must be in [0, 1), got ${value}`);
      }
    }
    if (!(this.eps >= 0)) throw new TrainingError("INVALID_OPTION", `AdamW eps must be >= 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) {
      throw new TrainingError("INVALID_OPTION", `AdamW weightDecay must be >= 0, got ${this.weightDecay}`);
    }
  }

  /** Applies one update with learning rate `lr` to every listed parameter. */
  async step(entries: readonly ParameterGradient[], lr: number): Promise<void> {
    const [beta1, beta2] = this.betas;
    for (const { name, variable, grad } of entries) {
      if (grad.length !== variable.size) {
        throw new TrainingError(
          "INVALID_STATE",
          `AdamW: gradient of "${name}" has ${grad.length} values, the parameter has ${variable.size}`,
        );
      }
      let state = this.#parameters.get(name);
      if (state === undefined) {
        state = { step: 0, expAvg: new Float32Array(grad.length), expAvgSq: new Float32Array(grad.length) };
        this.#parameters.set(name, state);
      } else if (state.expAvg.length !== grad.length) {
        throw new TrainingError(
          "INVALID_STATE",
          `AdamW: state of "${name}" has ${state.expAvg.length} values, the parameter has ${grad.length}`,
        );
      }
      state.step += 1;
      const decay = this.#decays(name) ? 1 - lr * this.weightDecay : 1;
      const stepSize = lr / (1 - beta1 ** state.step);
      const sqrtCorrection2 = Math.sqrt(1 - beta2 ** state.step);
      const current = (await variable.data()) as Float32Array;
      // A fresh array: the cpu backend adopts the array a tensor is made from without copying.
      const next = new Float32Array(current.length);
      adamwUpdate({
        param: current,
        grad,
        expAvg: state.expAvg,
        expAvgSq: state.expAvgSq,
        out: next,
        beta1,
        beta2,
        decay,
        stepSize,
        sqrtCorrection2,
        eps: this.eps,
      });
      const updated = tf.tensor(next, variable.shape, "float32");
      variable.assign(updated);
      updated.dispose();
    }
  }

  /** A deep copy of the moments, for checkpoints. */
  getState(): AdamWState {
    const parameters = new Map<string, AdamWParameterState>();
    for (const [name, s] of this.#parameters) {
      parameters.set(name, { step: s.step, expAvg: s.expAvg.slice(), expAvgSq: s.expAvgSq.slice() });
    }
    return { betas: [...this.betas], eps: this.eps, weightDecay: this.weightDecay, parameters };
  }

  /** Replaces the moments by those of a checkpoint (copied); hyper-parameters must match this optimizer's. */
  loadState(state: AdamWState): void {
    const same = (a: number, b: number): boolean => a === b || Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
    if (!same(state.betas[0], this.betas[0]) || !same(state.betas[1], this.betas[1])) {
      throw new TrainingError(
        "CHECKPOINT_MISMATCH",
        `optimizer state has betas [${state.betas}], this optimizer [${this.betas}]`,
      );
    }
    const parameters = new Map<string, AdamWParameterState>();
    for (const [name, s] of state.parameters) {
      if (s.expAvg.length !== s.expAvgSq.length) {
        throw new TrainingError(
          "CHECKPOINT_MISMATCH",
          `optimizer state of "${name}": exp_avg and exp_avg_sq differ in size`,
        );
      }
      parameters.set(name, { step: s.step, expAvg: s.expAvg.slice(), expAvgSq: s.expAvgSq.slice() });
    }
    this.#parameters = parameters;
  }
}
