/**
 * The photos every built-in model of the @sr packages (CiaoSR's default weights and their continuation,
 * VSpSR's and LocalSR's built-in weights) trains on, and the ones all of them hold back, defined once
 * so that no model ever trains on another's held-out photo. Paths are relative to the repository's
 * `shared/datasets/`; licences and attribution are in `train/README.md` and `train/wikimedia/SOURCES.md`
 * there and in each package's MODEL_CARD.md. Set5 and Set14 are never trained on.
 * @module
 */
import { InputError } from '../errors/index.js';
import { nodeFs, nodePath } from '../platform/node-platform.js';

/**
 * The training folders under `shared/datasets/`: the six scikit-image samples (`photos/`) and the 73
 * photos of `train/` (24 Kodak, 49 Wikimedia Commons).
 */
export const TRAINING_PHOTO_FOLDERS: readonly string[] = Object.freeze(['photos', 'train/kodak', 'train/wikimedia']);

/**
 * Training photos held back from every built-in model's training: `kodim23` (Kodak parrots: saturated
 * colour edges and a smooth background) is the photo whose PSNR the CiaoSR continuation run tracks;
 * `kodim03` and `wikimedia/049` join it as the held-back set of the LocalSR evaluation.
 */
export const HELD_OUT_PHOTOS: readonly string[] = Object.freeze(['train/kodak/kodim23.png', 'train/kodak/kodim03.png', 'train/wikimedia/049.png']);

/**
 * The training photos under `datasets` (the `shared/datasets` folder): absolute paths of the PNGs of
 * {@link TRAINING_PHOTO_FOLDERS}, sorted by name within each folder, {@link HELD_OUT_PHOTOS} left out.
 * Node only. Throws an `InputError` naming the folder when one is missing.
 */
export function listTrainingPhotos(datasets: string): string[] {
  const fs = nodeFs('listTrainingPhotos');
  const path = nodePath('listTrainingPhotos');
  const out: string[] = [];
  for (const dir of TRAINING_PHOTO_FOLDERS) {
    const abs = path.join(datasets, dir);
    if (!fs.existsSync(abs)) throw new InputError(`training folder not found: ${abs}`);
    for (const f of fs.readdirSync(abs).filter((f) => /\.png$/i.test(f)).sort()) {
      if (HELD_OUT_PHOTOS.includes(`${dir}/${f}`)) continue;
      out.push(path.join(abs, f));
    }
  }
  return out;
}
