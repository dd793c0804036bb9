import { InputError } from '../errors/index.js';
import { EDSR, type EDSROptions } from './edsr.js';
import { MmeditEDSR, type MmeditEDSROptions } from './edsr-mmedit.js';
import { RDN, type RDNOptions } from './rdn.js';
import { RRDBNet, type RRDBNetOptions } from './rrdbnet.js';

/** Option types per backbone name of {@link createBackbone}. */
export interface BackboneOptionsMap {
  'edsr-baseline': EDSROptions;
  edsr: EDSROptions;
  'mmedit-edsr': MmeditEDSROptions;
  rdn: RDNOptions;
  rrdbnet: RRDBNetOptions;
}

/** Model type per backbone name of {@link createBackbone}. */
export interface BackboneModelMap {
  'edsr-baseline': EDSR;
  edsr: EDSR;
  'mmedit-edsr': MmeditEDSR;
  rdn: RDN;
  rrdbnet: RRDBNet;
}

/** Names accepted by {@link createBackbone}. */
export type BackboneName = keyof BackboneOptionsMap;

/**
 * Official default configurations (timm-style default configs). Backbones are created in encoder
 * mode (`noUpsampling`/`encoder`), as LIIF, LTE and CiaoSR use them; pass `noUpsampling: false` for the
 * full fixed-scale network.
 * - `edsr-baseline`: LIIF `make_edsr_baseline` (16 blocks, 64 feats, res_scale 1).
 * - `edsr`: LIIF `make_edsr` (32 blocks, 256 feats, res_scale 0.1).
 * - `mmedit-edsr`: mmedit EDSR (16 blocks, 64 mid channels) as in CiaoSR.
 * - `rdn`: LIIF `make_rdn` (G0 64, config B: D 16, C 8, G 64).
 * - `rrdbnet`: BasicSR RRDBNet (23 RRDB, 64 feats, growth 32, ×4).
 */
export const BACKBONE_DEFAULTS: { [K in BackboneName]: BackboneOptionsMap[K] } = {
  'edsr-baseline': { nResblocks: 16, nFeats: 64, resScale: 1, scale: 2, noUpsampling: true },
  edsr: { nResblocks: 32, nFeats: 256, resScale: 0.1, scale: 2, noUpsampling: true },
  'mmedit-edsr': { midChannels: 64, numBlocks: 16, encoder: true },
  rdn: { G0: 64, kSize: 3, config: 'B', scale: 2, noUpsampling: true },
  rrdbnet: { numFeat: 64, numBlock: 23, numGrowCh: 32, scale: 4, noUpsampling: true },
};

/**
 * Creates a backbone by name with the official defaults overridden by `opts`. Every result
 * implements {@link Backbone} (`channels`, `receptiveField`, `encode`) and is a {@link Module}
 * whose state-dict keys are the official ones, ready for `loadStateDict(readCheckpoint(...))`.
 */
export function createBackbone<K extends BackboneName>(name: K, opts: BackboneOptionsMap[K] = {} as BackboneOptionsMap[K]): BackboneModelMap[K] {
  const defaults = BACKBONE_DEFAULTS[name];
  if (!defaults) throw new InputError(`unknown backbone '${name}' (known: ${Object.keys(BACKBONE_DEFAULTS).join(', ')})`);
  const o = { ...defaults, ...opts };
  switch (name) {
    case 'edsr-baseline':
    case 'edsr':
      return new EDSR(o as EDSROptions) as BackboneModelMap[K];
    case 'mmedit-edsr':
      return new MmeditEDSR(o as MmeditEDSROptions) as BackboneModelMap[K];
    case 'rdn':
      return new RDN(o as RDNOptions) as BackboneModelMap[K];
    case 'rrdbnet':
      return new RRDBNet(o as RRDBNetOptions) as BackboneModelMap[K];
    default:
      throw new InputError(`unknown backbone '${String(name)}'`);
  }
}
