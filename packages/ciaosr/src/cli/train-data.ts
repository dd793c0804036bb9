import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The training photos of the built-in models, relative to `shared/datasets/`: the six scikit-image
 * samples (`photos/`) and the 73 photos of `train/` (24 Kodak, 49 Wikimedia Commons; licences and
 * attribution in `train/README.md` and `train/wikimedia/SOURCES.md`). Set5 and Set14 are never used.
 */
export const TRAIN_FOLDERS = ['photos', 'train/kodak', 'train/wikimedia'] as const;

/**
 * Training photos held back from every built-in model's training: `kodim23` (Kodak parrots: saturated
 * colour edges and smooth background) is the photo whose PSNR the continuation run tracks;
 * `kodim03` and `wikimedia/049` join it as the held-back set of the LocalSR evaluation.
 */
export const HELD_OUT = ['train/kodak/kodim23.png', 'train/kodak/kodim03.png', 'train/wikimedia/049.png'] as const;

/** The photo whose held-out PSNR curve the CiaoSR continuation records. */
export const CURVE_PHOTO = HELD_OUT[0];

/** All training photo files (absolute paths, sorted, held-out photos removed) under `datasets`. */
export function listTrainPhotos(datasets: string): string[] {
  const out: string[] = [];
  for (const dir of TRAIN_FOLDERS) {
    const abs = path.join(datasets, dir);
    if (!fs.existsSync(abs)) throw new Error(`training folder not found: ${abs}`);
    for (const f of fs.readdirSync(abs).filter((f) => /\.png$/i.test(f)).sort()) {
      if ((HELD_OUT as readonly string[]).includes(`${dir}/${f}`)) continue;
      out.push(path.join(abs, f));
    }
  }
  return out;
}
