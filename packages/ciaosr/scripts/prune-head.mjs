#!/usr/bin/env node
// `node packages/ciaosr/scripts/prune-head.mjs <in.safetensors> <out.safetensors> --hidden 64,64`
//
// Derives a CiaoSR with narrower imnet_q/k/v hidden layers from trained weights that store their
// configuration, as the starting point of a fine-tuning run (`train:continue --dir <new> --init <out>`):
// the head's hidden width is the speed lever at large scales (MODEL_CARD.md, frontier), and training a
// smaller head from scratch on a 2-core machine takes hours. The pruning is `pruneHeadHidden` (src/prune-head.ts).
// Needs `npm run build -w @sr/ciaosr`.
import * as fs from 'node:fs';
import { writeSafetensors } from '@sr/core';
import { CONFIG_METADATA_KEY, pruneHeadHidden, readWeightsWithConfig } from '../dist/index.js';

const [inFile, outFile, flag, list] = process.argv.slice(2);
if (!inFile || !outFile || flag !== '--hidden' || !list) {
  process.stderr.write('usage: prune-head.mjs <in.safetensors> <out.safetensors> --hidden 64,64\n');
  process.exit(2);
}
const { stateDict, metadata, config } = await readWeightsWithConfig(inFile);
if (!config) {
  process.stderr.write(`prune-head: ${inFile} stores no model configuration\n`);
  process.exit(1);
}
const pruned = pruneHeadHidden(stateDict, config, list.split(',').map(Number));
const from = JSON.stringify({ file: inFile, hidden: config.hidden, step: metadata?.step });
fs.writeFileSync(outFile, writeSafetensors(pruned.stateDict, { format: 'pt', [CONFIG_METADATA_KEY]: JSON.stringify(pruned.config), ciaosr_pruned_from: from }));
process.stdout.write(`${outFile}: ${JSON.stringify(pruned.config)} (pruned from [${config.hidden}])\n`);
