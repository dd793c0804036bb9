import * as path from 'node:path';
import { trainContinueMain } from '../src/cli/train-continue.js';
import { trainDefaultMain } from '../src/cli/train-default.js';
import { evalDefaultMain } from '../src/cli/eval-default.js';

// The repository's own CiaoSR commands (train:default, eval:default, train:continue) report usage errors
// like the published CLIs: ONE line `<command>: <message>` on stderr, exit code 2, before any work.
const pkg = path.resolve(__dirname, '..');
const mains: [string, (argv: string[], dir?: string) => Promise<number>][] = [
  ['train-continue', trainContinueMain],
  ['train-default', trainDefaultMain],
  ['eval-default', evalDefaultMain],
];
const cases: [string, string[], RegExp][] = [
  ['unknown option', ['--bach', '4'], /unknown option '--bach'/],
  ['--threads 0', ['--threads', '0'], /option '--threads <n>' argument '0' is invalid\. expected an integer ≥ 1$/],
  ['--backend nope', ['--backend', 'nope'], /argument 'nope' is invalid\. expected one of auto, webgpu, webgl, wasm, cpu$/],
];
const specific: [string, string[], RegExp][] = [
  ['train-continue', ['--batch', '2.5'], /'--batch <n>' argument '2\.5' is invalid\. expected an integer ≥ 1$/],
  ['train-continue', ['--eval-scales', '2,x'], /'--eval-scales <list>' argument '2,x' is invalid\. expected a comma-separated list of integers/],
  ['train-continue', ['--milestones', '100,abc'], /'--milestones <steps>' argument '100,abc' is invalid/],
  ['train-default', ['--lr', '-1'], /'--lr <x>' argument '-1' is invalid\. expected a number > 0$/],
  ['train-default', ['--milestones', '0.5,2'], /'--milestones <list>' argument '0\.5,2' is invalid\. expected a comma-separated list of numbers ≥ 0 and ≤ 1$/],
  ['eval-default', ['--scales', '1,2'], /'--scales <list>' argument '1,2' is invalid/],
  ['eval-default', ['--tile', 'abc'], /'--tile <n>' argument 'abc' is invalid\. expected an integer ≥ 1$/],
];

describe('ciaosr dev commands: usage errors', () => {
  let err: jest.SpyInstance;
  let lines: string[];
  beforeEach(() => {
    lines = [];
    err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (lines.push(String(s)), true));
  });
  afterEach(() => err.mockRestore());

  const all = [...mains.flatMap(([name]) => cases.map(([what, argv, re]) => [name, what, argv, re] as const)), ...specific.map(([name, argv, re]) => [name, argv.join(' '), argv, re] as const)];
  test.each(all)('%s %s → exit 2, one line', async (name, _what, argv, re) => {
    const main = mains.find(([n]) => n === name)![1];
    expect(await main([...argv], pkg)).toBe(2);
    const text = lines.join('');
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(text.startsWith(`${name}: `)).toBe(true);
    expect(text.trimEnd()).toMatch(re);
  });
});
