import * as tf from '@tensorflow/tfjs-core';
import { isNode } from '../platform/env.js';
import { nodePlatform } from '../platform/node-platform.js';

/** The machine a benchmark ran on (recorded with every result so numbers stay comparable). */
export interface MachineInfo {
  cpuModel: string;
  /** Logical CPUs the OS reports. */
  cores: number;
  /** Node.js version, or the browser's user agent. */
  runtime: string;
  os: string;
  /** tfjs-core version. */
  tfjs: string;
}

/** Describes this machine: CPU model and count, runtime and OS (Node), or the user agent (browser). */
export function machineInfo(): MachineInfo {
  const platform = isNode() ? nodePlatform() : undefined;
  if (platform) {
    const os = platform.require('os') as typeof import('os');
    const cpus = os.cpus();
    return {
      cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
      cores: cpus.length,
      runtime: `node ${process.version}`,
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      tfjs: tf.version_core,
    };
  }
  const nav = (globalThis as { navigator?: { userAgent?: string; hardwareConcurrency?: number } }).navigator;
  return { cpuModel: 'unknown', cores: nav?.hardwareConcurrency ?? 0, runtime: nav?.userAgent ?? 'unknown', os: 'unknown', tfjs: tf.version_core };
}
