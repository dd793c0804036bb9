/**
 * The official `VSPSR` wrapper (zzhwfy/VSpSR `models/vspsr.py`): holds the VSpM under `vspm.` (so the
 * state-dict keys are `vspm.*`, as in official checkpoints) and optionally post-processes the output
 * with a CEM. Also infers the VSpM configuration from a state dict.
 * @module
 */
import { InputError, Module, type StateDict } from '@sr/core';
import { VSPM, type VSpMConfig } from './vspm.js';

/** `VSPSR(vspm, postprocess)`; the CEM is applied by the API layer (it has no weights). */
export class VSPSR extends Module {
  readonly vspm: VSPM;
  constructor(config: Partial<VSpMConfig> = {}) {
    super();
    this.vspm = this.child('vspm', new VSPM(config));
  }
}

/**
 * Reads the architecture from official weights: n_basis, n_color, scale (×8 has a second transposed
 * conv, `kernelbranch.23`), variational_z/w (doubled widths) and upsample. `mode`, `alpha` and `beta`
 * are not stored in weights; defaults follow demo.sh (bilinear ×4, bicubic ×8) and main.py (α=3, β=1).
 * Accepts keys with or without the `vspm.` prefix.
 */
export function inferVSpMConfig(sd: StateDict): Partial<VSpMConfig> {
  const p = 'vspm.kernelbranch.0.weight' in sd ? 'vspm.' : 'kernelbranch.0.weight' in sd ? '' : null;
  if (p === null) throw new InputError('VSpSR weights: no `vspm.kernelbranch.0.weight` key; these are not VSpSR weights');
  const shape = (k: string) => {
    const t = sd[p + k];
    if (!t) throw new InputError(`VSpSR weights: missing key ${p + k}`);
    return t.shape;
  };
  const n = shape('kernelbranch.8.weight')[0]; // third conv: n/2 → n
  const scale = `${p}kernelbranch.23.weight` in sd ? 8 : 4;
  return {
    scale,
    nBasis: n,
    nColor: shape('kernelbranch.0.weight')[1],
    variationalZ: shape('kernelbranch.18.weight')[0] === 2 * n,
    variationalW: shape('weightbranch.12.weight')[0] === 2 * n,
    upsample: `${p}upsamplebranch.0.weight` in sd,
    mode: scale === 8 ? 'bicubic' : 'bilinear',
    alpha: 3.0,
    beta: 1.0,
  };
}
