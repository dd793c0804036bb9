// Types as a consumer sees them (tsc --noEmit with moduleResolution node16 and bundler).
import { createUpscaler, defaultWeightsUrl, type Upscaler } from '@sr/ciaosr';
import { initBackend, readWeightsFile, type BackendReport, type ImageArray } from '@sr/core';
import { psnr } from '@sr/metrics';
import * as larsr from '@sr/lar-sr';
import * as vspsr from '@sr/vspsr';
import * as refvae from '@sr/refvae';
import * as localsr from '@sr/localsr';

export async function upscale(img: ImageArray): Promise<ImageArray> {
  const report: BackendReport = await initBackend('auto');
  const sr: Upscaler = await createUpscaler();
  const out = await sr.upscale(img, { scale: 2 });
  const w = await readWeightsFile(defaultWeightsUrl());
  console.log(report.summary, Object.keys(w.stateDict).length, typeof psnr, typeof larsr, typeof vspsr, typeof refvae, typeof localsr);
  return out.toImageArray(8);
}
