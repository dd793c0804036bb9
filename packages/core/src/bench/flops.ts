import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../nn/module.js';
import { Conv2d } from '../nn/conv.js';
import { ConvTranspose2d } from '../nn/conv-transpose.js';
import { Linear } from '../nn/linear.js';
import { layerMacs } from './layer-macs.js';

/** One counted layer call. */
export interface LayerFlops {
  /** Dotted module path (state-dict prefix), e.g. `body.3.body.0`. */
  path: string;
  type: 'Conv2d' | 'ConvTranspose2d' | 'Linear';
  inputShape: number[];
  outputShape: number[];
  /** Multiply-adds of this call. */
  macs: number;
}

/** Result of {@link countFlops}. */
export interface FlopCount {
  /** Multiply-adds of Conv2d, ConvTranspose2d and Linear layers. */
  macs: number;
  /** `2 · macs` (the convention of the GFLOP/s figures in the benchmarks). */
  flops: number;
  layers: LayerFlops[];
}

function walk(m: Module, path: string, out: [string, Module][]): void {
  out.push([path, m]);
  for (const [name, child] of m.namedChildren()) walk(child, path ? `${path}.${name}` : name, out);
}

/**
 * Counts the multiply-adds of a module's Conv2d / ConvTranspose2d / Linear layers for one forward
 * pass on an input of `inputShape` (NHWC). The count is exact for whatever the forward actually
 * does (layers called twice count twice, unused ones not at all): the layers' `forward` methods are
 * instrumented and the model runs once on zeros, inside `tf.tidy`. Elementwise work (activations,
 * bias adds, residual sums) is not counted — it is < 1% of the convolutions in SR networks.
 * @param forward how to call the model (default `module.forward(x)`; e.g. `(x) => edsr.encode(x)`).
 */
export function countFlops(module: Module, inputShape: number[], forward?: (x: tf.Tensor) => tf.Tensor | tf.Tensor[]): FlopCount {
  const modules: [string, Module][] = [];
  walk(module, '', modules);
  const layers: LayerFlops[] = [];
  const patched: Module[] = [];
  for (const [path, m] of modules) {
    if (!(m instanceof Conv2d || m instanceof ConvTranspose2d || m instanceof Linear)) continue;
    const original = m.forward;
    const type = m instanceof Conv2d ? 'Conv2d' : m instanceof ConvTranspose2d ? 'ConvTranspose2d' : 'Linear';
    (m as { forward: (x: tf.Tensor) => tf.Tensor }).forward = (x: tf.Tensor) => {
      const y = original.call(m, x as never) as tf.Tensor;
      layers.push({ path, type, inputShape: [...x.shape], outputShape: [...y.shape], macs: layerMacs(m, x.shape, y.shape) });
      return y;
    };
    patched.push(m);
  }
  try {
    tf.tidy(() => {
      const x = tf.zeros(inputShape);
      const call = forward ?? ((t: tf.Tensor) => (module as unknown as { forward(t: tf.Tensor): tf.Tensor }).forward(t));
      call(x);
    });
  } finally {
    for (const m of patched) delete (m as { forward?: unknown }).forward;
  }
  const macs = layers.reduce((s, l) => s + l.macs, 0);
  return { macs, flops: 2 * macs, layers };
}
