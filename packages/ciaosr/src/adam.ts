import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '@sr/core';

/**
 * `torch.optim.Adam` (β = (0.9, 0.999), ε = 1e-8, no weight decay) over named variables, with its state
 * exportable as a state dict (`exp_avg.<param>`, `exp_avg_sq.<param>`) so training can checkpoint and
 * resume exactly. tfjs's own Adam keys its moments by auto-generated variable names, which do not
 * survive a restart.
 */
export class NamedAdam {
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();
  constructor(
    readonly params: [string, tf.Variable][],
    public lr = 1e-4,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    for (const [n, p] of params) {
      this.m.set(n, tf.variable(tf.zerosLike(p), false));
      this.v.set(n, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** Applies one update from gradients keyed like `params` (missing gradients are skipped). */
  apply(grads: Map<string, tf.Tensor>): void {
    this.step++;
    const bc1 = 1 - this.beta1 ** this.step;
    const bc2 = 1 - this.beta2 ** this.step;
    for (const [n, p] of this.params) {
      const g = grads.get(n);
      if (!g) continue;
      tf.tidy(() => {
        const m = this.m.get(n)!;
        const v = this.v.get(n)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), this.eps);
        p.assign(tf.sub(p, tf.mul(tf.div(m, denom), this.lr / bc1)));
      });
    }
  }

  /** Moments as a flat state dict (tfjs layout, float32). */
  async stateDict(): Promise<StateDict> {
    const sd: StateDict = {};
    for (const [n] of this.params) {
      for (const [prefix, map] of [['exp_avg', this.m], ['exp_avg_sq', this.v]] as const) {
        const t = map.get(n)!;
        sd[`${prefix}.${n}`] = { dtype: 'float32', shape: t.shape.slice(), data: (await t.data()) as Float32Array };
      }
    }
    return sd;
  }

  /** Restores moments saved by {@link NamedAdam.stateDict}. */
  loadStateDict(sd: StateDict, step: number): void {
    this.step = step;
    for (const [n] of this.params)
      for (const [prefix, map] of [['exp_avg', this.m], ['exp_avg_sq', this.v]] as const) {
        const t = sd[`${prefix}.${n}`];
        const cur = map.get(n)!;
        if (!t || t.shape.join() !== cur.shape.join()) throw new Error(`optimizer state lacks or mis-shapes '${prefix}.${n}'`);
        cur.assign(tf.tensor(t.data as Float32Array, cur.shape, 'float32'));
      }
  }

  /** Frees the moment variables (two per parameter); the parameters themselves belong to the model. */
  dispose(): void {
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
