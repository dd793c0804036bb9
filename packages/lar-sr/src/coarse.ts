/**
 * The coarse SR module C(·) of LAR-SR: a frozen ESRGAN RRDBNet (official `backbone/RRDB.py`), whose
 * output x_c conditions both stages. The network is `@sr/core`'s {@link RRDBNet}; LAR-SR's checkpoints
 * use the original ESRGAN key names (`RRDB_trunk.N.RDBk.convj`, `trunk_conv`, `upconv1/2`, `HRconv` —
 * a standalone `RRDB_PSNR_x4.pth`), which {@link remapEsrganKeys} renames to BasicSR's. Inside a
 * `res_vqvae` checkpoint the same keys carry a `cause_sr.` prefix (see `splitCoarseKeys`).
 * @module
 */
import { InputError, RRDBNet, remapEsrganKeys, type RRDBNetOptions, type StateDict } from '@sr/core';

/** Reads RRDBNet's sizes off a state dict in ESRGAN or BasicSR naming. */
export function inferRRDBConfig(sd: StateDict): RRDBNetOptions {
  const k = remapEsrganKeys(sd);
  const first = k['conv_first.weight'];
  const last = k['conv_last.weight'];
  const rdb = k['body.0.rdb1.conv1.weight'];
  if (!first || !last || !rdb)
    throw new InputError('not an RRDBNet checkpoint: conv_first / RRDB_trunk (body) / conv_last keys are missing', 'E_CHECKPOINT_LAYOUT');
  const numBlock = new Set(Object.keys(k).filter((n) => n.startsWith('body.')).map((n) => n.split('.')[1])).size;
  return { numInCh: first.shape[1], numOutCh: last.shape[0], numFeat: first.shape[0], numBlock, numGrowCh: rdb.shape[0], scale: 4 };
}

/**
 * Builds the frozen ×4 coarse model from an RRDB state dict (ESRGAN or BasicSR names; sizes
 * inferred unless given) and loads it strictly.
 */
export function createCoarseModel(sd: StateDict, opts?: RRDBNetOptions): RRDBNet {
  const model = new RRDBNet(opts ?? inferRRDBConfig(sd));
  try {
    model.loadStateDict(remapEsrganKeys(sd));
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
