import * as tf from "@tensorflow/tfjs";

/**
 * A model's parameters by their Hugging Face state-dict names. Modules read their weights from here at
 * forward time (never capture a variable in a closure), so that tying can put one variable under two names.
 */
export class Parameters {
  readonly #variables = new Map<string, tf.Variable>();

  /** Registers `initial` under `name` as a (trainable) variable and returns it. */
  add(name: string, initial: tf.Tensor, trainable = true): tf.Variable {
    if (this.#variables.has(name)) {
      throw new Error(`parameter "${name}" is already registered`);
    }
    const variable = tf.variable(initial, trainable, `${name}#${uniqueSuffix()}`);
    this.#variables.set(name, variable);
    return variable;
  }

  get(name: string): tf.Variable {
    const variable = this.#variables.get(name);
    if (variable === undefined) {
      throw new Error(`no parameter named "${name}"`);
    }
    return variable;
  }

  has(name: string): boolean {
    return this.#variables.has(name);
  }

  /** Puts `variable` under `name`, replacing (and disposing, unless still used elsewhere here) the old one. */
  tie(name: string, variable: tf.Variable): void {
    const previous = this.get(name);
    if (previous === variable) return;
    if (!tf.util.arraysEqual(previous.shape, variable.shape)) {
      throw new Error(`cannot tie "${name}": shape [${previous.shape}] differs from [${variable.shape}]`);
    }
    this.#variables.set(name, variable);
    if (![...this.#variables.values()].includes(previous)) previous.dispose();
  }

  names(): string[] {
    return [...this.#variables.keys()];
  }

  entries(): IterableIterator<[string, tf.Variable]> {
    return this.#variables.entries();
  }

  /** Distinct variables (a tied variable appears once). */
  distinct(): tf.Variable[] {
    return [...new Set(this.#variables.values())];
  }

  /** Number of scalar parameters, counting a tied variable once. */
  count(): number {
    return this.distinct().reduce((sum, v) => sum + v.size, 0);
  }

  dispose(): void {
    for (const variable of this.distinct()) variable.dispose();
    this.#variables.clear();
  }
}

let counter = 0;
function uniqueSuffix(): number {
  counter += 1;
  return counter;
}
