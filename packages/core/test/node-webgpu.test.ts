// installDawn's adapter search with a fake Dawn module: the backends are tried in order, each Dawn
// instance is created only when its turn comes, OpenGL ES is asked at the compatibility feature
// level, and every device gets the adapter's full storage-buffer limit (tfjs-runtime.md, trap 1).
import { defaultDawnBackends, installDawn, type DawnModule } from '../src/backend/node-webgpu.js';

type Nav = { navigator?: { gpu?: GPU } };

function fakeDawn(working: string[]) {
  const created: string[] = [];
  const asked: { backend: string; opts: GPURequestAdapterOptions }[] = [];
  const devices: GPUDeviceDescriptor[] = [];
  const dawn: DawnModule = {
    globals: { GPUBufferUsage: { STORAGE: 128 } },
    create(flags: string[]) {
      const backend = flags[0]?.replace('backend=', '') ?? 'default';
      created.push(backend);
      return {
        requestAdapter: async (opts: GPURequestAdapterOptions = {}) => {
          asked.push({ backend, opts });
          if (backend === 'broken') throw new Error('driver crashed');
          if (!working.includes(backend)) return null;
          return {
            backend,
            limits: { maxStorageBuffersPerShaderStage: 31 },
            requestDevice: async (d: GPUDeviceDescriptor = {}) => {
              devices.push(d);
              return { backend } as unknown as GPUDevice;
            },
          } as unknown as GPUAdapter;
        },
      } as unknown as GPU;
    },
  };
  return { dawn, created, asked, devices };
}

describe('installDawn', () => {
  const saved = (globalThis as Nav).navigator;
  const savedEnv = process.env.DAWN_BACKEND;
  afterEach(() => {
    (globalThis as Nav).navigator = saved;
    if (savedEnv === undefined) delete process.env.DAWN_BACKEND;
    else process.env.DAWN_BACKEND = savedEnv;
  });

  it('returns the first backend with an adapter, creating instances lazily', async () => {
    const f = fakeDawn(['opengles']);
    expect(installDawn(f.dawn, ['vulkan', 'opengles'])).toEqual(['vulkan', 'opengles']);
    expect(f.created).toEqual(['vulkan']);
    const adapter = (await (globalThis as Nav).navigator!.gpu!.requestAdapter({ powerPreference: 'high-performance' })) as GPUAdapter & { backend: string };
    expect(adapter.backend).toBe('opengles');
    expect(f.created).toEqual(['vulkan', 'opengles']);
    expect(f.asked).toEqual([
      { backend: 'vulkan', opts: { powerPreference: 'high-performance' } },
      { backend: 'opengles', opts: { powerPreference: 'high-performance', featureLevel: 'compatibility' } },
    ]);
    await adapter.requestDevice({ requiredLimits: { maxBufferSize: 1 } });
    expect(f.devices).toEqual([{ requiredLimits: { maxBufferSize: 1, maxStorageBuffersPerShaderStage: 31 } }]);
  });

  it('stops at the first adapter and skips a backend that throws', async () => {
    const f = fakeDawn(['vulkan', 'opengles']);
    installDawn(f.dawn, 'broken, vulkan,opengles');
    const adapter = (await (globalThis as Nav).navigator!.gpu!.requestAdapter()) as GPUAdapter & { backend: string };
    expect(adapter.backend).toBe('vulkan');
    expect(f.created).toEqual(['broken', 'vulkan']);
  });

  it('resolves null when no backend has an adapter', async () => {
    const f = fakeDawn([]);
    installDawn(f.dawn, ['vulkan', 'opengles']);
    await expect((globalThis as Nav).navigator!.gpu!.requestAdapter()).resolves.toBeNull();
  });

  it('rejects an empty list', () => {
    expect(() => installDawn(fakeDawn([]).dawn, ' , ')).toThrow('no Dawn backend');
  });
});

describe('defaultDawnBackends', () => {
  const savedEnv = process.env.DAWN_BACKEND;
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.DAWN_BACKEND;
    else process.env.DAWN_BACKEND = savedEnv;
  });

  it('follows $DAWN_BACKEND, else Vulkan first on a Linux machine with a GPU device', () => {
    process.env.DAWN_BACKEND = 'vulkan,opengles';
    expect(defaultDawnBackends(false)).toEqual(['vulkan', 'opengles']);
    delete process.env.DAWN_BACKEND;
    if (process.platform === 'linux') {
      expect(defaultDawnBackends(true)).toEqual(['vulkan', 'opengles']);
      expect(defaultDawnBackends(false)).toEqual(['opengles']);
    } else expect(defaultDawnBackends(true)).toEqual(['default']);
  });
});
