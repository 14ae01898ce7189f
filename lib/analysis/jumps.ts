// Jumps: which statement each break and continue leaves, which constructs a jump escapes, and where
// jumps sit. Read by the jump lowering and by control_flow; never transforms.

import type * as ESTree from 'estree';
import { isLoop, walk } from '../codegen/ast.js';
import { isFunctionNode } from './scopes.js';

export type LoweredLoop =
  ESTree.WhileStatement | ESTree.DoWhileStatement | ESTree.ForStatement | ESTree.ForInStatement | ESTree.ForOfStatement;

export const isLoweredLoop = (node: ESTree.Node): node is LoweredLoop =>
  node.type === 'WhileStatement' ||
  node.type === 'DoWhileStatement' ||
  node.type === 'ForStatement' ||
  node.type === 'ForInStatement' ||
  (node.type === 'ForOfStatement' && !node.await);

/** Whether some node under `root` (nested functions aside) satisfies `test`. */
export function containsNode(
  root: ESTree.Node,
  test: (node: ESTree.Node, ancestors: ESTree.Node[]) => boolean,
): boolean {
  let found = false;
  const ancestors: ESTree.Node[] = [];
  walk(root, {
    enter(node) {
      // A nested function's jumps are its own, whether it is inside `root` or is `root` itself (a
      // function declaration in a statement list).
      if (found || isFunctionNode(node)) return this.skip();
      if (test(node, ancestors)) found = true;
      ancestors.push(node);
    },
    leave() {
      ancestors.pop();
    },
  });
  return found;
}

/** Whether `ancestors` (outermost first) put a node inside the finally block of a try statement. */
export const inFinally = (ancestors: ESTree.Node[]) =>
  ancestors.some((node, i) => node.type === 'TryStatement' && node.finalizer === ancestors[i + 1]);

export type Jump = ESTree.BreakStatement | ESTree.ContinueStatement;

export interface JumpTarget {
  target: ESTree.Node;
  /** A native loop, a switch or a finally block lies between the jump and its target. */
  crossesNative: boolean;
  /** The jump leaves a finally block: it discards the exception or return in flight there. */
  leavesFinally: boolean;
}

/**
 * The statement each break and continue in `fn` leaves: the loop (or switch, or labeled statement) it
 * targets, and whether a loop or switch that stays native, or a finally block, lies between the jump and
 * its target, in which case the jump cannot become a flag. Whether the target itself can take a flag is
 * for each pass to say.
 */
export function jumpTargets(fn: ESTree.Node): Map<Jump, JumpTarget> {
  const targets = new Map<Jump, JumpTarget>();
  const enclosing: ESTree.Node[] = [];
  const labels = new Map<string, ESTree.Node>();
  walk(fn, {
    enter(node, parent) {
      if (node !== fn && isFunctionNode(node)) return this.skip();
      if (parent?.type === 'LabeledStatement') labels.set(parent.label.name, node);
      if (node.type === 'BreakStatement' || node.type === 'ContinueStatement') {
        let target: ESTree.Node | undefined;
        if (node.label) {
          target = labels.get(node.label.name);
        } else {
          for (let i = enclosing.length - 1; i >= 0 && !target; i--) {
            const candidate = enclosing[i]!;
            if (isLoop(candidate) || (node.type === 'BreakStatement' && candidate.type === 'SwitchStatement')) {
              target = candidate;
            }
          }
        }
        if (target) {
          const between = enclosing.slice(enclosing.indexOf(target) + 1);
          // A jump out of a finally block also discards an exception in flight; a flag cannot.
          const leavesFinally = between.some((n, i) => n.type === 'TryStatement' && n.finalizer === between[i + 1]);
          const crossesNative =
            between.some((n) => isLoop(n) && !isLoweredLoop(n)) ||
            between.some((n) => n.type === 'SwitchStatement') ||
            leavesFinally;
          targets.set(node, { target, crossesNative, leavesFinally });
        }
      }
      enclosing.push(node);
    },
    leave(node) {
      if (enclosing[enclosing.length - 1] === node) enclosing.pop();
    },
  });
  return targets;
}

/** The first return, break or continue inside `construct` that leaves it (nested functions aside). */
export function findEscape(construct: ESTree.Statement): ESTree.Statement | undefined {
  const labels: string[] = [];
  const breakable: ESTree.Node[] = [];
  const loops: ESTree.Node[] = [];
  let escape: ESTree.Statement | undefined;
  walk(construct as ESTree.Node, {
    enter(node) {
      if (escape) return this.skip();
      if (isFunctionNode(node)) return this.skip();
      if (node.type === 'LabeledStatement') labels.push(node.label.name);
      if (node !== construct && isLoop(node)) loops.push(node);
      if (node !== construct && (isLoop(node) || node.type === 'SwitchStatement')) breakable.push(node);
      if (node.type === 'ReturnStatement') escape = node;
      if (node.type === 'BreakStatement' && (node.label ? !labels.includes(node.label.name) : breakable.length === 0)) {
        escape = node;
      }
      if (node.type === 'ContinueStatement' && (node.label ? !labels.includes(node.label.name) : loops.length === 0)) {
        escape = node;
      }
    },
    leave(node) {
      if (node.type === 'LabeledStatement') labels.pop();
      if (loops[loops.length - 1] === node) loops.pop();
      if (breakable[breakable.length - 1] === node) breakable.pop();
    },
  });
  return escape;
}
