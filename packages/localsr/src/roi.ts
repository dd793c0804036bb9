/**
 * Region-of-interest geometry: validation and the padded window the base branch sees.
 * @module
 */
import { InputError } from '@sr/core';

/** A rectangle in LR pixel coordinates (integers; x/y of the top-left corner). */
export interface Roi {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Where the base branch runs: the ROI grown by `padding` LR pixels on each side (paper §3.1 "we pad
 * the ROI before inputting it to the base branch"), clipped to the image. Clipping — rather than
 * shifting the window inward or synthesising pixels — keeps only real context pixels; at an image
 * border the backbone then sees exactly what it sees when run on the whole image (its own zero
 * padding), which is what post-cropping does there.
 */
export interface PaddedWindow {
  /** The padded window in image coordinates. */
  y0: number;
  x0: number;
  height: number;
  width: number;
  /** Offset of the ROI inside the window. */
  top: number;
  left: number;
}

/** Throws a clear {@link InputError} unless `roi` is a non-empty integer rectangle inside an `imageH × imageW` image. */
export function validateRoi(roi: Roi, imageH: number, imageW: number): void {
  if (!roi || typeof roi !== 'object') throw new InputError('no ROI given: pass {x, y, width, height} in LR pixels', 'E_ROI');
  const { x, y, width, height } = roi;
  for (const [k, v] of Object.entries({ x, y, width, height }))
    if (!Number.isInteger(v)) throw new InputError(`ROI ${k} must be an integer number of LR pixels, got ${String(v)}`, 'E_ROI');
  if (width <= 0 || height <= 0) throw new InputError(`the ROI is empty (${width}×${height}); width and height must be ≥ 1`, 'E_ROI_EMPTY');
  if (x < 0 || y < 0 || x + width > imageW || y + height > imageH)
    throw new InputError(
      `ROI x=${x} y=${y} ${width}×${height} lies (partly) outside the ${imageW}×${imageH} image; it must satisfy 0 ≤ x, x+width ≤ ${imageW}, 0 ≤ y, y+height ≤ ${imageH}`,
      'E_ROI_OUTSIDE',
    );
}

/** The ROI grown by `padding` on each side and clipped to the image (see {@link PaddedWindow}). */
export function paddedWindow(roi: Roi, imageH: number, imageW: number, padding: number): PaddedWindow {
  if (!(Number.isInteger(padding) && padding >= 0)) throw new InputError(`padding must be a non-negative integer, got ${padding}`);
  const y0 = Math.max(0, roi.y - padding);
  const x0 = Math.max(0, roi.x - padding);
  const y1 = Math.min(imageH, roi.y + roi.height + padding);
  const x1 = Math.min(imageW, roi.x + roi.width + padding);
  return { y0, x0, height: y1 - y0, width: x1 - x0, top: roi.y - y0, left: roi.x - x0 };
}
