import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Locations the default-model scripts (`train:default`, `eval:default`) use, all derived from the
 * package folder: the monorepo keeps data and third-party weights in `../shared` beside the repository
 * root (never copied into the repository), and the package's own outputs under `packages/ciaosr/`.
 */
export interface DefaultPaths {
  /** `packages/ciaosr`. */
  packageDir: string;
  /** `<repo>/../shared/datasets` (photos/, set5/, set14/). */
  datasets: string;
  /** `<repo>/../shared/weights` (LPIPS lin and torchvision AlexNet weights). */
  sharedWeights: string;
  /** `weights/default.safetensors`. */
  weights: string;
  /** `MODEL_CARD.md`. */
  modelCard: string;
  /** `bench/results/`. */
  results: string;
  /** `.train-default/`: resumable training checkpoints (weights + Adam moments), not shipped. */
  work: string;
}

/** Resolves {@link DefaultPaths} from `packageDir` (default: the working directory, as under `npm run -w`). */
export function defaultPaths(packageDir = process.cwd()): DefaultPaths {
  const pkg = path.resolve(packageDir);
  if (!fs.existsSync(path.join(pkg, 'package.json'))) throw new Error(`not a package folder: ${pkg}`);
  const repo = path.resolve(pkg, '..', '..');
  const shared = path.resolve(repo, '..', 'shared');
  return {
    packageDir: pkg,
    datasets: path.join(shared, 'datasets'),
    sharedWeights: path.join(shared, 'weights'),
    weights: path.join(pkg, 'weights', 'default.safetensors'),
    modelCard: path.join(pkg, 'MODEL_CARD.md'),
    results: path.join(pkg, 'bench', 'results'),
    work: path.join(pkg, '.train-default'),
  };
}

/** Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->` in a Markdown file. */
export function replaceBetweenMarkers(file: string, name: string, body: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file}: markers ${begin} … ${end} not found`);
  fs.writeFileSync(file, `${text.slice(0, i + begin.length)}\n${body.trim()}\n${text.slice(j)}`);
}
