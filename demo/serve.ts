// `npm start`: builds the demo and serves it on localhost.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemo } from './build.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
};

/** Serves the files under `root` on 127.0.0.1; port 0 picks a free one. `headers` go with every file. */
export function serve(
  root: string,
  port: number,
  headers: Record<string, string> = {},
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { ...headers, 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({ url: `http://localhost:${bound}/`, server });
    });
  });
}

async function main(): Promise<void> {
  const root = await buildDemo();
  const wanted = Number(process.env.PORT ?? 8080);
  const { url } = await serve(root, wanted).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EADDRINUSE') throw error;
    console.log(`Port ${wanted} is in use; picking a free one.`);
    return serve(root, 0);
  });
  console.log(`tfjs-autograph demo: ${url}`);
  console.log('Open it in a browser with WebGPU (Chrome or Edge); elsewhere it runs on another backend and says so.');
  console.log('Press Ctrl+C to stop.');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
