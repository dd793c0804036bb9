import { initBackend } from '@sr/core';

// `auto` must not pick a software WebGPU adapter (Dawn's OpenGL ES on llvmpipe here): WASM is several
// times faster for inference on such machines. A named 'webgpu' still gets it.
test('auto skips a software WebGPU adapter and says why', async () => {
  const auto = await initBackend('auto');
  if (auto.adapter?.software !== false) {
    expect(auto.backend).not.toBe('webgpu');
    if (auto.adapter) expect(auto.summary).toMatch(/software/);
  }
  const named = await initBackend('webgpu');
  expect(named.backend).toBe('webgpu');
  expect(named.summary).toMatch(/webgpu on /);
});
