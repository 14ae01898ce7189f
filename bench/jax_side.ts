// The jax-js side of bench/jax_js.ts, in a process of its own: sets up a device, then times runs as asked.
import { jaxHuber, jaxMandelbrot, runJax, type Jax, type JaxArray, type JaxRequest } from './jax_js.js';
import { setupNodeWebGPU } from './library.js';

let jax: Jax | undefined;
let jitted: Parameters<typeof runJax>[1] | undefined;

async function answer(request: JaxRequest): Promise<unknown> {
  if (request.kind === 'init') {
    if (request.device === 'webgpu') await setupNodeWebGPU({ setBackend: false });
    // jax-js reads navigator.userAgent where it finds WebGPU; Node's navigator (set up for Dawn) has none.
    const nav = (globalThis as unknown as { navigator?: Record<string, unknown> }).navigator;
    if (nav && nav['userAgent'] === undefined) nav['userAgent'] = 'Node.js';
    if (!nav) (globalThis as unknown as { navigator: object }).navigator = { userAgent: 'Node.js' };
    jax = (await import('@jax-js/jax')) as unknown as Jax;
    const devices = await jax.init(request.device);
    if (devices.includes(request.device)) jax.defaultDevice(request.device);
    const np = jax.numpy;
    jitted = {
      huber: jax.jit((a: JaxArray) => jaxHuber(np, a, 1)),
      mandelbrot: jax.jit((cr: JaxArray, ci: JaxArray) => jaxMandelbrot(np, cr, ci, 100)),
    };
    return { devices };
  }
  return runJax(jax!, jitted!, request);
}

process.on('message', (request) => {
  answer(request as JaxRequest).then(
    (reply) => process.send!(reply),
    (error: unknown) => process.send!({ error: error instanceof Error ? error.message : String(error) }),
  );
});
