import * as tf from "@tensorflow/tfjs";
import { productsPreferTransposeFlags } from "./backend_traits.js";

/**
 * Weight layouts of a dense layer: "out_in" is `nn.Linear`'s [out, in] (BERT, RoBERTa: y = x·Wᵀ + b),
 * "in_out" is GPT-2 `Conv1D`'s [in, out] (y = x·W + b).
 */
export type LinearLayout = "out_in" | "in_out";

/**
 * A dense layer over the last axis of `x` ([..., in] → [..., out]). On wasm only untransposed 2-D products
 * reach XNNPACK (transposed ones run 10x slower), and tfjs's own matMul gradient uses transpose flags, so there
 * the forward pass and both gradients are plain 2-D products with any transpose done explicitly. Backends
 * that take transpose flags for free (productsPreferTransposeFlags) get the flags instead, and the bias folded
 * into the product: no weight or gradient copies at all.
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | null, layout: LinearLayout): tf.Tensor {
  if (weight.rank !== 2) throw new Error(`linear: weight must be 2-D, got shape [${weight.shape}]`);
  const [inSize, outSize] =
    layout === "out_in" ? [weight.shape[1], weight.shape[0]] : [weight.shape[0], weight.shape[1]];
  const last = x.shape[x.rank - 1];
  if (last !== inSize) {
    throw new Error(
      `linear: x's last axis is ${last} but the ${layout} weight [${weight.shape}] takes ${inSize} inputs`,
    );
  }
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== outSize)) {
    throw new Error(`linear: bias shape [${bias.shape}] must be [${outSize}]`);
  }
  const outShape = [...x.shape.slice(0, -1), outSize as number];
  return tf.tidy(() => {
    const x2 = x.reshape([-1, inSize as number]);
    const products = (productsPreferTransposeFlags() ? flagKernels : kernels)[layout];
    const y = bias === null ? products.plain(x2, weight) : products.biased(x2, weight, bias);
    return y.reshape(outShape);
  });
}

type Product = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** y = x·Wᵀ for W [out, in]; dx = dy·W, dW = dyᵀ·x, both untransposed after an explicit transpose. */
const outIn = {
  forward: ((x, w) => tf.matMul(x, tf.transpose(w))) as Product,
  dx: ((dy, w) => tf.matMul(dy, w)) as Product,
  dw: ((dy, x) => tf.matMul(tf.transpose(dy), x)) as Product,
};

/** y = x·W for W [in, out]; dx = dy·Wᵀ, dW = xᵀ·dy. */
const inOut = {
  forward: ((x, w) => tf.matMul(x, w)) as Product,
  dx: ((dy, w) => tf.matMul(dy, tf.transpose(w))) as Product,
  dw: ((dy, x) => tf.matMul(tf.transpose(x), dy)) as Product,
};

/** The same rules with transpose flags (no copies), for backends whose products take them at full speed. */
const outInFlags = {
  forward: ((x, w) => tf.matMul(x, w, false, true)) as Product,
  dx: ((dy, w) => tf.matMul(dy, w)) as Product,
  dw: ((dy, x) => tf.matMul(dy, x, true, false)) as Product,
  biased: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor) => tf.fused.matMul({ a: x, b: w, transposeB: true, bias: b }),
};

const inOutFlags = {
  forward: ((x, w) => tf.matMul(x, w)) as Product,
  dx: ((dy, w) => tf.matMul(dy, w, false, true)) as Product,
  dw: ((dy, x) => tf.matMul(x, dy, true, false)) as Product,
  biased: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor) => tf.fused.matMul({ a: x, b: w, bias: b }),
};

type Rule = typeof outIn & { biased?: (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor) => tf.Tensor };

function build(rule: Rule) {
  const plain = tf.customGrad((x, w, save) => {
    const x2 = x as tf.Tensor2D;
    const w2 = w as tf.Tensor2D;
    (save as tf.GradSaveFunc)([x2, w2]);
    return {
      value: rule.forward(x2, w2),
      // Gradient functions run outside the caller's tidy, so they tidy their own temporaries.
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
          return [rule.dx(dy as tf.Tensor2D, ws), rule.dw(dy as tf.Tensor2D, xs)];
        }),
    };
  }) as (x: tf.Tensor, w: tf.Tensor) => tf.Tensor;
  const biased = tf.customGrad((x, w, b, save) => {
    const x2 = x as tf.Tensor2D;
    const w2 = w as tf.Tensor2D;
    (save as tf.GradSaveFunc)([x2, w2]);
    return {
      value:
        rule.biased === undefined ? tf.add(rule.forward(x2, w2), b as tf.Tensor) : rule.biased(x2, w2, b as tf.Tensor),
      gradFunc: (dy, saved) =>
        tf.tidy(() => {
          const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
          const d = dy as tf.Tensor2D;
          return [rule.dx(d, ws), rule.dw(d, xs), tf.sum(d, 0)];
        }),
    };
  }) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;
  return { plain, biased };
}

const kernels: Record<LinearLayout, ReturnType<typeof build>> = { out_in: build(outIn), in_out: build(inOut) };
const flagKernels: Record<LinearLayout, ReturnType<typeof build>> = {
  out_in: build(outInFlags),
  in_out: build(inOutFlags),
};
