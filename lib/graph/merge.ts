// Merges two traces of the same work: equal nodes match, and branches or loop variants one lacks are adopted.

import { mapSlots, sameTypes, Slot, type Block, type Graph, type Node, type ValueId } from './graph.js';

/**
 * Merges `from` into `into`, which must record the same work: the same kernels with the same attributes
 * on matching values, the same constants, variables and effects. A staged if's branch or a loop's block
 * variant that only `from` traced is adopted. `map` takes `from`'s values to `into`'s and grows as nodes
 * match. Returns why they differ, or null.
 */
export function mergeBlock(into: Block, from: Block, map: Map<ValueId, ValueId>): string | null {
  const resolve = (id: ValueId) => map.get(id) ?? id;
  if (into.nodes.length !== from.nodes.length) {
    return `${from.nodes.length} operations where the first trace has ${into.nodes.length}`;
  }
  for (let i = 0; i < into.nodes.length; i++) {
    const a = into.nodes[i]!;
    const b = from.nodes[i]!;
    const mismatch = mergeNode(a, b, map, resolve);
    if (mismatch) return mismatch;
  }
  if (into.results.length !== from.results.length || from.results.some((id, k) => resolve(id) !== into.results[k])) {
    return 'different results';
  }
  return null;
}

function mergeNode(a: Node, b: Node, map: Map<ValueId, ValueId>, resolve: (id: ValueId) => ValueId): string | null {
  if (a.kind !== b.kind) return `${b.kind} where the first trace has ${a.kind}`;
  const sameIds = (x: ValueId[], y: ValueId[]) => x.length === y.length && y.every((id, k) => resolve(id) === x[k]);
  const link = (x: ValueId[], y: ValueId[]) => y.forEach((id, k) => map.set(id, x[k]!));
  switch (a.kind) {
    case 'kernel': {
      const k = b as typeof a;
      if (a.name !== k.name || !sameIds(a.inputs, k.inputs) || !deepEqual(a.attrs, k.attrs)) {
        return `kernel ${k.name} differs from ${a.name}`;
      }
      link(a.outputs, k.outputs);
      return null;
    }
    case 'constant': {
      const c = b as typeof a;
      if (a.dtype !== c.dtype || !deepEqual(a.shape, c.shape) || !sameValues(a.values, c.values)) {
        return 'a constant has other values';
      }
      link([a.output], [c.output]);
      return null;
    }
    case 'variable': {
      const r = b as typeof a;
      const same =
        a.source === undefined ? r.source === undefined && a.variable === r.variable : resolve(r.source!) === a.source;
      if (!same) return 'another variable';
      link([a.output], [r.output]);
      return null;
    }
    case 'random': {
      const r = b as typeof a;
      if (a.label !== r.label || !deepEqual(a.args, r.args)) return `another ${r.label}`;
      link([a.output], [r.output]);
      return null;
    }
    case 'capture':
      if (a.tensor !== (b as typeof a).tensor) return 'another captured tensor';
      link([a.output], [(b as typeof a).output]);
      return null;
    case 'assign': {
      const s = b as typeof a;
      const sameTarget =
        a.target === undefined ? s.target === undefined && a.variable === s.variable : resolve(s.target!) === a.target;
      return sameTarget && resolve(s.input) === a.input ? null : 'another assignment';
    }
    case 'newVariable': {
      const n = b as typeof a;
      if (resolve(n.input) !== a.input || a.trainable !== n.trainable || a.dtype !== n.dtype) return 'another variable';
      link([a.output], [n.output]);
      return null;
    }
    case 'effect': {
      const e = b as typeof a;
      return a.run === e.run && a.label === e.label && sameTemplate(a.args, e.args, resolve)
        ? null
        : `another ${e.label}`;
    }
    case 'if': {
      const f = b as typeof a;
      if (resolve(f.condition) !== a.condition || a.outputs.length !== f.outputs.length) return 'another if';
      for (const k of [0, 1] as const) {
        const mine = a.branches[k];
        const theirs = f.branches[k];
        if (!theirs) continue;
        if (mine) {
          const mismatch = mergeBlock(mine, theirs, map);
          if (mismatch) return mismatch;
        } else {
          // A graph's if gives each output one dtype and shape, whichever branch runs.
          const other = a.branches[1 - k];
          const differs = other?.resultTypes.findIndex(
            (t, i) =>
              t.dtype !== theirs.resultTypes[i]?.dtype || t.shape.join() !== theirs.resultTypes[i]?.shape.join(),
          );
          if (other && differs !== undefined && differs >= 0) {
            const [x, y] = [other.resultTypes[differs]!, theirs.resultTypes[differs]!];
            return (
              `the branches of ${a.construct} give a value of ${x.dtype}[${x.shape.join(',')}] in one and ` +
              `${y.dtype}[${y.shape.join(',')}] in the other`
            );
          }
          a.branches[k] = renamed(theirs, resolve);
        }
      }
      link(a.outputs, f.outputs);
      return null;
    }
    case 'loop': {
      const l = b as typeof a;
      if (!sameIds(a.carried, l.carried) || resolve(l.condition) !== a.condition) return 'another loop';
      for (const block of l.blocks) {
        const same = a.blocks.find((mine) => sameTypes(mine.paramTypes, block.paramTypes));
        if (same) {
          block.params.forEach((id, k) => map.set(id, same.params[k]!));
          const mismatch = mergeBlock(same, block, map);
          if (mismatch) return mismatch;
        } else {
          a.blocks.push(renamed(block, resolve));
        }
      }
      link(a.outputs, l.outputs);
      return null;
    }
  }
}

/** `block` with its references to values outside it taken through `resolve`; its own values keep their ids. */
function renamed(block: Block, resolve: (id: ValueId) => ValueId): Block {
  const rename = (node: Node): void => {
    switch (node.kind) {
      case 'kernel':
        node.inputs = node.inputs.map(resolve);
        break;
      case 'assign':
        node.input = resolve(node.input);
        if (node.target !== undefined) node.target = resolve(node.target);
        break;
      case 'newVariable':
        node.input = resolve(node.input);
        break;
      case 'variable':
        if (node.source !== undefined) node.source = resolve(node.source);
        break;
      case 'effect':
        node.args = mapSlots(node.args, resolve) as unknown[];
        break;
      case 'if':
        node.condition = resolve(node.condition);
        for (const branch of node.branches) if (branch) renameIn(branch);
        break;
      case 'loop':
        node.carried = node.carried.map(resolve);
        node.condition = resolve(node.condition);
        for (const inner of node.blocks) renameIn(inner);
        break;
      default:
        break;
    }
  };
  const renameIn = (inner: Block) => {
    inner.nodes.forEach(rename);
    inner.results = inner.results.map(resolve);
  };
  renameIn(block);
  return block;
}

function sameTemplate(a: unknown, b: unknown, resolve: (id: ValueId) => ValueId): boolean {
  if (a instanceof Slot || b instanceof Slot) return a instanceof Slot && b instanceof Slot && resolve(b.id) === a.id;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      Array.isArray(b) &&
      a.length === b.length &&
      a.every((item, k) => sameTemplate(item, b[k], resolve))
    );
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    const parts = (x: object) => (x as { parts?: unknown }).parts;
    if (Array.isArray(parts(a))) return sameTemplate(parts(a), parts(b), resolve);
    if (Object.getPrototypeOf(a) !== Object.prototype) return a === b;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) =>
        sameTemplate((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], resolve),
      )
    );
  }
  return Object.is(a, b);
}

function sameValues(a: ArrayLike<unknown>, b: ArrayLike<unknown>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Attribute values: numbers, strings, booleans, null, and arrays and objects of them. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    return ArrayBuffer.isView(a) && ArrayBuffer.isView(b) && sameValues(a as never, b as never);
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

/** Merges a new trace of the same signature into `into`; returns why they differ, or null. */
export function mergeInto(into: Graph, from: Graph): string | null {
  const map = new Map(from.inputs.map((id, k) => [id, into.inputs[k]!]));
  const mismatch = mergeBlock(into.body, from.body, map);
  if (mismatch) return mismatch;
  if (!sameTemplate(into.output, from.output, (id) => map.get(id) ?? id)) return 'another result';
  into.untraced = countUntraced(into.body);
  into.effects ||= from.effects;
  return null;
}

/** How many branches and loop bodies a graph has not traced yet. */
export function countUntraced(block: Block): number {
  let count = 0;
  for (const node of block.nodes) {
    if (node.kind === 'if') {
      for (const branch of node.branches) count += branch ? countUntraced(branch) : 1;
    } else if (node.kind === 'loop') {
      count += node.blocks.length === 0 ? 1 : node.blocks.reduce((n, inner) => n + countUntraced(inner), 0);
    }
  }
  return count;
}
