import { HELD_OUT_PHOTOS } from '@sr/core';

/**
 * The photo whose held-out PSNR curve the CiaoSR continuation records: `kodim23` (Kodak parrots:
 * saturated colour edges and a smooth background), the first of core's `HELD_OUT_PHOTOS`, which every
 * built-in model holds back from training (core's `listTrainingPhotos` leaves them out).
 */
export const CURVE_PHOTO = HELD_OUT_PHOTOS[0];
