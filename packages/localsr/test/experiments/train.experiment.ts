/**
 * Runs the training experiment (src/experiment.ts); not part of the test suite. Run with
 * `npx jest --testMatch '<rootDir>/test/experiments/train.experiment.ts'` (env: LSR_PRE, LSR_STEPS, LSR_BACKEND).
 */
import * as path from 'node:path';
import { ensureGradients, initBackend, type BackendName } from '@sr/core';
import { sharedRoot } from '@sr/testkit';
import { useFastCpuConvGradients } from '../../src/index.js';
import { runExperiment } from '../../src/node.js';

it('training experiment', async () => {
  await initBackend((process.env.LSR_BACKEND ?? 'cpu') as BackendName);
  await ensureGradients();
  useFastCpuConvGradients();
  await runExperiment({
    photosDir: path.join(sharedRoot(), 'datasets', 'photos'),
    pretrainSteps: Number(process.env.LSR_PRE ?? 200),
    steps: Number(process.env.LSR_STEPS ?? 200),
    out: process.env.LSR_OUT ?? path.join(__dirname, '..', '..', 'bench', 'results', 'training.json'),
    log: (s) => process.stderr.write(s + '\n'),
  });
});
