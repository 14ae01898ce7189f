// Collects what console.log prints while a spec runs a function, instead of printing it.

export async function captureLog<T>(fn: () => T | Promise<T>): Promise<{ result: T; lines: unknown[][] }> {
  const lines: unknown[][] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void lines.push(args);
  try {
    return { result: await fn(), lines };
  } finally {
    console.log = original;
  }
}
