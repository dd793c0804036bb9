/**
 * Up-front memory plan of LocalSR's two entry points, checked against the backend before any work:
 * `prepare` keeps the PIM features of every stage at full image resolution (paper §3.3: c' channels
 * per stage), which is what made a 2000² image exhaust the 4 GiB WASM heap; `upscaleRegion` runs the
 * base branch on the padded ROI. Estimates are upper bounds of the tensors alive at the peak.
 * @module
 */
import { assertMemoryPlan, type MemoryItem } from '@sr/core';
import type { CLSR } from './clsr.js';
import { paddedWindow, type Roi } from './roi.js';

const F32 = 4;

/** Buffers alive at the peak of `prepare` on an `H × W` image. */
export function prepareItems(model: CLSR, H: number, W: number): MemoryItem[] {
  const n = H * W;
  const items: MemoryItem[] = [{ name: `context ${W}×${H}×3 (input and kept copy)`, bytes: 2 * n * 3 * F32 }];
  if (model.pim && model.usePim) {
    const cp = model.pim.channels;
    const stages = model.base.numStages;
    items.push({ name: `PIM features (${stages} stages × ${W}×${H}×${cp}, kept)`, bytes: stages * n * cp * F32 });
    // one stage's temporaries: a residual/dense block holds a few c'-wide maps (RRDB: growth-wide too)
    items.push({ name: 'PIM stage temporaries', bytes: 8 * n * Math.max(cp, 4) * F32, single: false });
  }
  if (model.gcm && model.useGcm) {
    const r = model.patchSize;
    items.push({ name: `GCM patches (${model.numPatches} × ${r}² × ${model.base.channels})`, bytes: 8 * model.numPatches * r * r * model.base.channels * F32 });
  }
  return items;
}

/** Buffers alive at the peak of `upscaleRegion(roi)` (base branch on the padded window, ×s tail). */
export function regionItems(model: CLSR, roi: Roi, H: number, W: number): MemoryItem[] {
  const win = paddedWindow(roi, H, W, model.padding);
  const a = win.height * win.width;
  const c = model.base.channels;
  const s = model.scale;
  return [
    { name: `base branch on the ${win.width}×${win.height} window`, bytes: 8 * a * c * F32 },
    { name: `×${s} tail (upsampling to ${win.width * s}×${win.height * s})`, bytes: 3 * a * s * s * c * F32, single: false },
    { name: `output ${roi.width * s}×${roi.height * s}×3`, bytes: roi.width * s * roi.height * s * 3 * F32, single: true },
  ];
}

/** Throws `E_MEMORY` with the numbers when `prepare` of an `H × W` image cannot fit the backend. */
export function assertPrepareFits(model: CLSR, H: number, W: number): void {
  assertMemoryPlan(prepareItems(model, H, W), `LocalSR prepare of a ${W}×${H} image`);
}

/** Throws `E_MEMORY` with the numbers when `upscaleRegion(roi)` cannot fit the backend. */
export function assertRegionFits(model: CLSR, roi: Roi, H: number, W: number): void {
  assertMemoryPlan(regionItems(model, roi, H, W), `LocalSR upscaleRegion of a ${roi.width}×${roi.height} region`);
}
