import { InputError } from '../errors/index.js';
import { createBackbone } from '../models/registry.js';
import type { Backbone } from '../models/backbone.js';
import { LIIF } from './liif.js';
import { LTE } from './lte.js';

/** A model spec as LIIF/LTE's `models.make` takes it and their train script saves it (`ckpt['model']`, minus `sd`). */
export interface ImplicitModelSpec {
  name: string;
  args?: Record<string, any>;
}

/**
 * Builds an encoder from a LIIF-registry spec (`{name, args}`) with the official argument names:
 * `edsr-baseline` / `edsr` (`n_resblocks`, `n_feats`, `res_scale`, `scale`, `no_upsampling`) and `rdn`
 * (`G0`, `RDNkSize`, `RDNconfig`, `scale`, `no_upsampling`).
 */
export function createEncoderFromSpec(spec: ImplicitModelSpec): Backbone {
  const a = spec.args ?? {};
  const noUpsampling = a.no_upsampling ?? false;
  switch (spec.name) {
    case 'edsr-baseline':
    case 'edsr':
      return createBackbone(spec.name, {
        ...(a.n_resblocks !== undefined && { nResblocks: a.n_resblocks }),
        ...(a.n_feats !== undefined && { nFeats: a.n_feats }),
        ...(a.res_scale !== undefined && { resScale: a.res_scale }),
        ...(a.scale !== undefined && { scale: a.scale }),
        noUpsampling,
      });
    case 'rdn':
      return createBackbone('rdn', {
        ...(a.G0 !== undefined && { G0: a.G0 }),
        ...(a.RDNkSize !== undefined && { kSize: a.RDNkSize }),
        ...(a.RDNconfig !== undefined && { config: a.RDNconfig }),
        ...(a.scale !== undefined && { scale: a.scale }),
        noUpsampling,
      });
    default:
      throw new InputError(`unsupported LIIF/LTE encoder '${spec.name}' (supported: edsr-baseline, edsr, rdn)`);
  }
}

/**
 * Builds LIIF or LTE from the spec their train script stores in a checkpoint (`ckpt['model']['name']`
 * and `['args']`: `encoder_spec`, `imnet_spec` with `hidden_list`/`out_dim`, LIIF's `local_ensemble`,
 * `feat_unfold`, `cell_decode`, LTE's `hidden_dim`). Load the weights with
 * `model.loadStateDict(readCheckpoint(file, { key: 'model.sd' }))`.
 */
export function createImplicitModel(spec: ImplicitModelSpec): LIIF | LTE {
  const a = spec.args ?? {};
  if (!a.encoder_spec) throw new InputError(`${spec.name} spec has no encoder_spec`);
  const encoder = createEncoderFromSpec(a.encoder_spec);
  const imnet = a.imnet_spec?.args ?? {};
  if (a.imnet_spec && a.imnet_spec.name !== 'mlp') throw new InputError(`unsupported imnet '${a.imnet_spec.name}' (only 'mlp')`);
  const hiddenList: number[] | undefined = imnet.hidden_list;
  const outDim: number | undefined = imnet.out_dim;
  switch (spec.name) {
    case 'liif':
      if (!a.imnet_spec) throw new InputError('LIIF without imnet_spec (feature-only mode) is not supported');
      return new LIIF(encoder, {
        localEnsemble: a.local_ensemble ?? true,
        featUnfold: a.feat_unfold ?? true,
        cellDecode: a.cell_decode ?? true,
        hiddenList,
        outDim,
      });
    case 'lte':
      return new LTE(encoder, { hiddenDim: a.hidden_dim ?? 256, hiddenList, outDim });
    default:
      throw new InputError(`unknown implicit model '${spec.name}' (supported: liif, lte)`);
  }
}
