import { createRandom, Parameters, requireBackend, tf } from "@warmstart/tensors";
import { WeightLoadError } from "./errors.js";
import type { LoadReport } from "./load-report.js";

/** How one parameter is initialised, following Hugging Face's `_init_weights`. */
export type ParameterInit =
  { kind: "zeros" } | { kind: "ones" } | { kind: "normal"; std: number; zeroRow?: number | null };

export interface ParameterSpec {
  shape: number[];
  init: ParameterInit;
}

/** Parameters of a model class by Hugging Face state-dict name, in registration order. */
export type ParameterSpecs = Map<string, ParameterSpec>;

/** How a class's parameter names relate to the names checkpoints use. */
export interface WeightNaming {
  /** Prefix of the base model inside task models ("bert.", "roberta.", "transformer."). */
  basePrefix: string;
  /** Checkpoint names that are stored copies of another parameter of this class (tied LM heads). */
  tiedAliases?: Record<string, string>;
}

/** Where weights come from: an open checkpoint or a map of tensors (the caller keeps ownership of map entries). */
export type WeightSource =
  | { names(): string[]; tensor(name: string): tf.Tensor; info?(name: string): { shape: number[] } }
  | Map<string, tf.Tensor>;

export interface LoadOptions {
  /** Only checkpoint names starting with this are considered, with it removed (e.g. "encoder." in a composed file). */
  prefix?: string;
}

export interface ModelOptions {
  /** Seed of the random initialisation and of dropout masks. */
  seed?: number;
}

/**
 * Where a model's dropout stream stands. The n-th mask of a model is drawn with seed `seed * 1_000_003 + n`,
 * so the seed and the number of masks drawn so far are the whole state: a trainer checkpoint stores it and a
 * resumed run draws exactly the masks the uninterrupted run would have drawn next.
 */
export interface DropoutState {
  seed: number;
  calls: number;
}

// Entries that Hugging Face checkpoints carry but that are constants, not parameters.
const BUFFER = /(^|\.)((attn|crossattention)\.(bias|masked_bias)|position_ids)$/;

/** An `nn.Linear`'s weight `[out, in]` (normal) and bias (zeros), as Hugging Face's `_init_weights` draws them. */
export function linearSpecs(name: string, out: number, inp: number, std: number): Array<[string, ParameterSpec]> {
  return [
    [`${name}.weight`, { shape: [out, inp], init: { kind: "normal", std } }],
    [`${name}.bias`, { shape: [out], init: { kind: "zeros" } }],
  ];
}

/** An `nn.LayerNorm`'s weight (ones) and bias (zeros). */
export function layerNormSpecs(name: string, size: number): Array<[string, ParameterSpec]> {
  return [
    [`${name}.weight`, { shape: [size], init: { kind: "ones" } }],
    [`${name}.bias`, { shape: [size], init: { kind: "zeros" } }],
  ];
}

export function specsToShapes(specs: ParameterSpecs): Map<string, number[]> {
  return new Map([...specs].map(([name, spec]) => [name, [...spec.shape]]));
}

/** Shared machinery of every model class: parameters, initialisation, loading, training mode, dropout. */
export abstract class PretrainedModule<C> {
  readonly config: C;
  readonly parameters = new Parameters();
  /** Dropout is applied only while true (`train()`); `eval()` turns it off. */
  training = false;
  /** The report of the last `loadWeights` (set by `fromPretrained` too). */
  loadReport: LoadReport | undefined;
  readonly #naming: WeightNaming;
  #seed: number;
  #dropoutCalls = 0;

  protected constructor(config: C, specs: ParameterSpecs, naming: WeightNaming, options: ModelOptions = {}) {
    // Every model class allocates its weights here, synchronously: without an active backend, say which call to make.
    requireBackend(`${new.target.name}.fromConfig`);
    this.config = config;
    this.#naming = naming;
    this.#seed = options.seed ?? 0;
    // One named stream per parameter: adding a parameter (cross-attention, a pooler) never changes the others.
    const random = createRandom(this.#seed);
    for (const [name, spec] of specs) {
      const init = spec.init;
      const value =
        init.kind === "zeros"
          ? tf.zeros(spec.shape)
          : init.kind === "ones"
            ? tf.ones(spec.shape)
            : withZeroRow(random.fork(name).normal(spec.shape, init.std), init.zeroRow ?? null);
      this.parameters.add(name, value);
      value.dispose();
    }
  }

  train(): this {
    this.training = true;
    return this;
  }

  eval(): this {
    this.training = false;
    return this;
  }

  /** Number of scalar parameters, tied ones counted once. */
  numParameters(): number {
    return this.parameters.count();
  }

  protected param(name: string): tf.Variable {
    return this.parameters.get(name);
  }

  /** The dropout stream's position, for a trainer checkpoint (see {@link DropoutState}). */
  getDropoutState(): DropoutState {
    return { seed: this.#seed, calls: this.#dropoutCalls };
  }

  /** Continues the dropout stream from a state returned by {@link getDropoutState}; the weights are not touched. */
  setDropoutState(state: DropoutState): void {
    const ok = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v);
    if (typeof state !== "object" || state === null || !ok(state.seed) || !ok(state.calls) || state.calls < 0) {
      throw new TypeError(
        `dropout state must be { seed, calls } safe integers (calls >= 0), got ${JSON.stringify(state)}`,
      );
    }
    this.#seed = state.seed;
    this.#dropoutCalls = state.calls;
  }

  /** Inverted dropout while training (seeded: the n-th call of a model uses seed + n), identity otherwise. */
  protected dropout<T extends tf.Tensor>(x: T, rate: number): T {
    if (!this.training || rate === 0) return x;
    this.#dropoutCalls += 1;
    return tf.dropout(x, rate, undefined, this.#seed * 1_000_003 + this.#dropoutCalls) as T;
  }

  /**
   * Copies checkpoint tensors into the parameters with the same Hugging Face name, accepting names with or
   * without the base-model prefix and legacy `LayerNorm.gamma/beta`. A shape that differs throws a
   * WeightLoadError naming the tensor and both shapes (before anything is assigned).
   */
  loadWeights(source: WeightSource, options: LoadOptions = {}): LoadReport {
    const sourceNames = source instanceof Map ? [...source.keys()] : source.names();
    const prefix = options.prefix ?? "";
    const base = this.#naming.basePrefix;
    const aliases = this.#naming.tiedAliases ?? {};
    const loaded = new Map<string, string>(); // model name → checkpoint name
    const unexpected: string[] = [];
    const skipped: string[] = [];
    const resolve = (name: string): string | undefined => {
      const candidates = [name, name.startsWith(base) ? name.slice(base.length) : undefined, base + name];
      return candidates.find((c) => c !== undefined && this.parameters.has(c));
    };
    const pending: Array<[string, string]> = [];
    for (const full of sourceNames) {
      if (!full.startsWith(prefix)) continue;
      const name = full
        .slice(prefix.length)
        .replace(/\.gamma$/, ".weight")
        .replace(/\.beta$/, ".bias");
      const target = resolve(name);
      if (target !== undefined) {
        pending.push([target, full]);
        continue;
      }
      const alias =
        aliases[name] ?? aliases[base + name] ?? (name.startsWith(base) ? aliases[name.slice(base.length)] : undefined);
      if (alias !== undefined) {
        // A stored copy of a tied weight: use it only when the checkpoint lacks the weight it copies.
        pending.push([alias, full]);
        skipped.push(full);
      } else if (BUFFER.test(name)) {
        skipped.push(full);
      } else {
        unexpected.push(full);
      }
    }
    // Real weights win over tied copies: drop a copy whose target is also present.
    const direct = new Set(pending.filter(([, full]) => !skipped.includes(full)).map(([target]) => target));
    const assignments = pending.filter(([target, full]) => !skipped.includes(full) || !direct.has(target));
    // Check every shape before assigning anything, so a mismatch leaves the model untouched. Sources with
    // `info` are checked from their headers; others are read once here.
    const shapeOf = (full: string): number[] => {
      if (source instanceof Map) return (source.get(full) as tf.Tensor).shape;
      if (source.info !== undefined) return source.info(full).shape;
      const t = source.tensor(full);
      const shape = t.shape;
      t.dispose();
      return shape;
    };
    for (const [target, full] of assignments) {
      const shape = shapeOf(full);
      const expected = this.parameters.get(target).shape;
      if (!tf.util.arraysEqual(shape, expected)) {
        throw new WeightLoadError(
          "SHAPE_MISMATCH",
          full,
          `checkpoint tensor "${full}" has shape [${shape}] but the model's "${target}" has shape [${expected}] (from the config)`,
        );
      }
    }
    for (const [target, full] of assignments) {
      const tensor = source instanceof Map ? (source.get(full) as tf.Tensor) : source.tensor(full);
      const value = tensor.dtype === "float32" ? tf.clone(tensor) : tf.cast(tensor, "float32");
      if (!(source instanceof Map)) tensor.dispose();
      this.parameters.get(target).assign(value);
      value.dispose();
      loaded.set(target, full);
    }
    const report: LoadReport = {
      loaded: this.parameters.names().filter((n) => loaded.has(n)),
      missing: this.parameters.names().filter((n) => !loaded.has(n)),
      unexpected,
      skipped: skipped.filter((s) => !assignments.some(([, full]) => full === s)),
    };
    this.loadReport = report;
    return report;
  }

  dispose(): void {
    this.parameters.dispose();
  }
}

function withZeroRow(t: tf.Tensor, row: number | null): tf.Tensor {
  if (row === null) return t;
  const zeroed = tf.tidy(() => {
    const keep = tf.oneHot(tf.tensor1d([row], "int32"), t.shape[0] as number).reshape([-1, 1]);
    return tf.mul(t, tf.sub(1, tf.cast(keep, "float32")));
  });
  t.dispose();
  return zeroed;
}
