import { InputError, MmeditEDSR, RDN, RRDBNet, type Backbone, type StateDict } from '@sr/core';

/** Backbones CiaoSR ships configurations for. */
export type CiaoSRBackboneName = 'edsr-baseline' | 'rdn' | 'rrdbnet';

/** Size options of {@link createCiaoSRBackbone} (defaults: the official CiaoSR/LIIF configurations). */
export interface BackboneOptions {
  /** Feature channels (64). */
  feats?: number;
  /** Residual blocks: EDSR 16, RDN D 16, RRDBNet 23. */
  blocks?: number;
}

/**
 * Creates a backbone in encoder mode (no upsampler), randomly initialised:
 * - `edsr-baseline`: mmedit EDSR (`conv_first`, `body.i.conv{1,2}`, `conv_after_body`) as in the official
 *   `LocalImplicitSREDSR` (64 channels, 16 blocks);
 * - `rdn`: RDN-B with LIIF's key names (`SFENet1`, `RDBs.*`, `GFF.*`); official CiaoSR-RDN checkpoints use
 *   mmedit's names and are renamed by {@link remapMmeditRdnKeys} on load;
 * - `rrdbnet`: BasicSR RRDBNet trunk (`conv_first`, `body.i.rdb{1,2,3}`, `conv_body`), 64 channels, 23 RRDBs.
 */
export function createCiaoSRBackbone(name: CiaoSRBackboneName | string, opts: BackboneOptions = {}): Backbone {
  switch (name) {
    case 'edsr-baseline':
    case 'edsr':
      return new MmeditEDSR({ midChannels: opts.feats ?? 64, numBlocks: opts.blocks ?? 16, encoder: true });
    case 'rdn':
      return new RDN({ G0: opts.feats ?? 64, config: 'B', ...(opts.blocks ? { D: opts.blocks } : {}), noUpsampling: true });
    case 'rrdbnet':
      return new RRDBNet({ numFeat: opts.feats ?? 64, numBlock: opts.blocks ?? 23, noUpsampling: true });
    default:
      throw new InputError(`unknown backbone '${name}': use 'edsr-baseline', 'rdn', 'rrdbnet' or pass a Backbone object`);
  }
}

/**
 * Renames mmedit RDN keys (official `LocalImplicitSRRDN`: `sfe1`, `sfe2`, `rdbs.d.layers.c.conv`,
 * `rdbs.d.lff`, `gff.{0,1}`) to LIIF's (`SFENet1`, `SFENet2`, `RDBs.d.convs.c.conv.0`, `RDBs.d.LFF`,
 * `GFF.{0,1}`); other keys pass through. Written from the mmedit source, not yet checked against a
 * released CiaoSR-RDN checkpoint (none is reachable here).
 */
export function remapMmeditRdnKeys(sd: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(sd)) {
    const nk = k
      .replace(/^sfe1\./, 'SFENet1.')
      .replace(/^sfe2\./, 'SFENet2.')
      .replace(/^rdbs\.(\d+)\.layers\.(\d+)\.conv\./, 'RDBs.$1.convs.$2.conv.0.')
      .replace(/^rdbs\.(\d+)\.lff\./, 'RDBs.$1.LFF.')
      .replace(/^gff\./, 'GFF.');
    out[nk] = v;
  }
  return out;
}
