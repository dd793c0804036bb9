#!/usr/bin/env node
// `npm run card:training -w @sr/ciaosr`: renders the continuation run's records (training/runs.json,
// training/heldout.csv) into MODEL_CARD.md, between <!-- runs:begin/end --> and <!-- heldout:begin/end -->.
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPaths, replaceBetweenMarkers } from '../dist/cli/default-paths.js';
import { heldOutMarkdown, readRunLog, runLogMarkdown } from '../dist/cli/run-log.js';
import { CURVE_PHOTO } from '../dist/cli/train-data.js';

const p = defaultPaths(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
const dir = path.join(p.packageDir, 'training');
replaceBetweenMarkers(p.modelCard, 'runs', runLogMarkdown(readRunLog(path.join(dir, 'runs.json'))));
replaceBetweenMarkers(p.modelCard, 'heldout', heldOutMarkdown(path.join(dir, 'heldout.csv'), CURVE_PHOTO));
console.error(`filled ${p.modelCard} from ${dir}`);
