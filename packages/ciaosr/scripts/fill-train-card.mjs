#!/usr/bin/env node
// `npm run card:train -w @sr/ciaosr [-- <log.csv>]`: (re)fills MODEL_CARD.md's training section
// (between <!-- train:begin --> and <!-- train:end -->) from the CSV log of `train:default`.
// (train:default does this itself at the end of a run.)
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPaths, replaceBetweenMarkers } from '../dist/cli/default-paths.js';
import { readTrainLog, trainLogMarkdown } from '../dist/cli/train-log.js';

const p = defaultPaths(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const log = process.argv[2] ?? path.join(p.results, 'default-train.csv');
replaceBetweenMarkers(p.modelCard, 'train', trainLogMarkdown(readTrainLog(log)));
console.error(`filled ${p.modelCard} from ${log}`);
