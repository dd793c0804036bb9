/**
 * The set-up every hostile-CLI test file shares: the bundled bin (see `bundleCli`), a temporary folder
 * and a small valid input PNG in it, created before the file's tests and removed after them.
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { encodePng } from '@sr/core';
import { bundleCli, type CliChild } from './cli-child.js';

/** What {@link hostileCliSuite} prepares; read its fields inside tests (they are set in `beforeAll`). */
export interface HostileCliSuite {
  /** The bundled bin. */
  readonly cli: CliChild;
  /** A temporary folder, removed after the file's tests. */
  readonly dir: string;
  /** `<dir>/in.png`: a flat gray 8-bit RGB PNG, a valid input. */
  readonly input: string;
}

/**
 * Registers `beforeAll`/`afterAll` (jest) that bundle `packages/<pkg>/bin/<bin>.js`, create a temporary
 * folder and write `in.png` of `inputSize` (default 8×8) into it; returns the suite's handles.
 */
export function hostileCliSuite(pkg: string, bin: string, inputSize: { width: number; height: number } = { width: 8, height: 8 }): HostileCliSuite {
  let cli: CliChild | undefined;
  let dir = '';
  let input = '';
  beforeAll(async () => {
    cli = await bundleCli(pkg, bin);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${bin}-hostile-`));
    input = path.join(dir, 'in.png');
    const { width, height } = inputSize;
    fs.writeFileSync(input, await encodePng({ width, height, channels: 3, bitDepth: 8, data: new Uint8Array(width * height * 3).fill(90) }));
  });
  afterAll(() => {
    cli?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get cli() {
      if (!cli) throw new Error('hostileCliSuite: read the suite inside a test (after beforeAll)');
      return cli;
    },
    get dir() {
      return dir;
    },
    get input() {
      return input;
    },
  };
}
