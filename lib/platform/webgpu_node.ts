// Gets a WebGPU backend for TF.js in Node, through Dawn's Node bindings (the optional `webgpu` package).

import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as tf from '@tensorflow/tfjs';

/** Where Debian's and Ubuntu's Chromium packages put SwiftShader's Vulkan driver manifest. */
export const SWIFTSHADER_ICD_PATHS: readonly string[] = [
  '/usr/lib/chromium/vk_swiftshader_icd.json',
  '/usr/lib/chromium-browser/vk_swiftshader_icd.json',
];

export interface NodeWebGPUOptions {
  /**
   * SwiftShader's ICD manifest, tried when no hardware adapter exists. When given, it is the only one
   * tried; by default `VK_ICD_FILENAMES` and then the Chromium packages' paths are.
   */
  swiftShaderIcd?: string;
  /** Whether to make 'webgpu' the active tfjs backend. Default true. */
  setBackend?: boolean;
}

export interface NodeWebGPU {
  /** The adapter's description, for example 'SwiftShader driver 5.0.0'. */
  adapter: string;
  /** True when the adapter is SwiftShader's software Vulkan driver (no GPU): correct, but slow. */
  software: boolean;
}

interface DawnModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let pending: Promise<NodeWebGPU> | undefined;

/**
 * Makes tfjs's WebGPU backend available in Node, once per process:
 * 1. loads the `webgpu` package (Dawn) and asks for an adapter;
 * 2. with no hardware adapter, points Vulkan at SwiftShader (`VK_ICD_FILENAMES`) and asks again;
 * 3. installs Dawn's globals (`GPUBufferUsage`, ...) and `navigator.gpu`, which the backend needs;
 * 4. imports `@tensorflow/tfjs-backend-webgpu`, which registers itself only if `navigator.gpu` exists.
 * Where `navigator.gpu` already exists (a browser), it is used as it is. Fails with an error that names
 * what is missing and how to install it.
 */
export function setupNodeWebGPU(options: NodeWebGPUOptions = {}): Promise<NodeWebGPU> {
  pending ??= setup(options);
  return pending.then(async (result) => {
    if (options.setBackend !== false) await useWebGPUBackend();
    return result;
  });
}

async function useWebGPUBackend(): Promise<void> {
  if (!(await tf.setBackend('webgpu'))) {
    throw new Error("tf.setBackend('webgpu') failed although an adapter was found; see the warnings above.");
  }
  await tf.ready();
}

async function setup(options: NodeWebGPUOptions): Promise<NodeWebGPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) {
    const adapter = await nav.gpu.requestAdapter();
    if (!adapter) throw new Error('navigator.gpu exists but gives no WebGPU adapter.');
    await importWebGPUBackend();
    return describe(adapter);
  }

  process.env.XDG_RUNTIME_DIR ??= tmpdir();
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu')) as unknown as DawnModule;
  } catch (error) {
    throw new Error(
      "WebGPU in Node needs the package 'webgpu' (Dawn's Node bindings, an optional peer dependency of " +
        'tfjs-autograph), which could not be ' +
        `loaded (${(error as Error).message}). Install it with: npm install webgpu`,
      { cause: error },
    );
  }

  // Vulkan reads VK_ICD_FILENAMES when Dawn creates its instance, so a second create() can fall back.
  let gpu = dawn.create([]);
  let adapter = await gpu.requestAdapter();
  let icd: string | undefined;
  if (!adapter) {
    const candidates = options.swiftShaderIcd
      ? [options.swiftShaderIcd]
      : [process.env.VK_ICD_FILENAMES, ...SWIFTSHADER_ICD_PATHS].filter((path): path is string => !!path);
    icd = candidates.find((path) => existsSync(path));
    if (!icd) {
      throw new Error(
        'No WebGPU adapter: Dawn found no GPU, and SwiftShader, the software Vulkan driver to fall back on, is ' +
          `not at ${candidates.join(' or ')}. On Debian or Ubuntu install it with ` +
          "'apt-get install -y chromium libvulkan1', or pass { swiftShaderIcd: '/path/to/vk_swiftshader_icd.json' }.",
      );
    }
    process.env.VK_ICD_FILENAMES = icd;
    gpu = dawn.create([]);
    adapter = await gpu.requestAdapter();
    if (!adapter) {
      throw new Error(
        `No WebGPU adapter, even with SwiftShader (${icd}). The Vulkan loader may be missing: on Debian or ` +
          "Ubuntu install it with 'apt-get install -y libvulkan1'.",
      );
    }
  }

  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else (globalThis as { navigator?: unknown }).navigator = { gpu };
  await importWebGPUBackend();
  return describe(adapter);
}

/** Imports tfjs's WebGPU backend (an optional peer dependency), which registers itself with tfjs. */
async function importWebGPUBackend(): Promise<void> {
  try {
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (error) {
    // Only where the package itself is missing: a failure inside it is its own error.
    const { code, message } = error as { code?: string; message?: string };
    if (code !== 'ERR_MODULE_NOT_FOUND' || !message?.includes("'@tensorflow/tfjs-backend-webgpu'")) throw error;
    throw new Error(
      "WebGPU needs tfjs's WebGPU backend, the package '@tensorflow/tfjs-backend-webgpu', which is not " +
        'installed (an optional peer dependency of tfjs-autograph). Install it with: ' +
        'npm install @tensorflow/tfjs-backend-webgpu',
      { cause: error },
    );
  }
}

function describe(adapter: GPUAdapter): NodeWebGPU {
  const info = adapter.info;
  const text = [info.description, info.vendor, info.architecture].filter(Boolean).join(' / ') || 'unknown adapter';
  return { adapter: text, software: /swiftshader/i.test(text) };
}
