// What the break, continue and return passes share: lowering a jump into a flag and guarding what follows.
//
//   A; if (c) { return x; } B;
// becomes, with the flag do_return,
//   A; if (c) { do_return = true; retval_ = x; } if (!do_return) { B; }

import type * as ESTree from 'estree';
import { addStopFlag, asList, mapChildStatements, walk } from '../../codegen/ast.js';
import { containsNode, isLoweredLoop, jumpTargets, type Jump, type LoweredLoop } from '../../analysis/jumps.js';
import { patternIdentifiers } from '../../analysis/scopes.js';
import { block, identifier, logical, not } from '../../codegen/builders.js';

export interface JumpLowering {
  /** The statements that replace `statement` when it is a jump this pass lowers. */
  replace(statement: ESTree.Statement): ESTree.Statement[] | undefined;
  /** Whether `statement` contains a jump this pass lowers (checked before lowering inside it). */
  contains(statement: ESTree.Statement): boolean;
  /** The flag a lowered jump sets, such as `do_return`; the rest of a block runs under `!flag`. */
  flag: string;
  /** Loops inside which a lowered jump may sit, and that must stop when the flag is set. */
  stopsLoop(loop: LoweredLoop): boolean;
  /**
   * What undoes a jump that an exception cancelled: a return inside `try` whose finally block then throws
   * has not returned, and the catch that gets the exception goes on from there. Each catch block whose
   * try block may jump starts with these.
   */
  cancelled?(): ESTree.Statement[];
}

export const flagTrue = (flag: string): ESTree.ExpressionStatement => ({
  type: 'ExpressionStatement',
  expression: {
    type: 'AssignmentExpression',
    operator: '=',
    left: { type: 'Identifier', name: flag },
    right: { type: 'Literal', value: true },
  },
});

/** `let flag = false;`, the declaration of a jump's flag. */
export const flagDeclaration = (flag: string): ESTree.VariableDeclaration => ({
  type: 'VariableDeclaration',
  kind: 'let',
  declarations: [{ type: 'VariableDeclarator', id: identifier(flag), init: { type: 'Literal', value: false } }],
});

/** The jumps of `kind` that leave for `target` and can become flags (no native construct in between). */
export function jumpsTo(
  targets: ReturnType<typeof jumpTargets>,
  kind: Jump['type'],
  target: ESTree.Node,
): (node: ESTree.Node) => boolean {
  return (node) => {
    if (node.type !== kind) return false;
    const info = targets.get(node as Jump);
    return info !== undefined && info.target === target && !info.crossesNative;
  };
}

/**
 * Whether a break or continue under `node` leaves a finally block. Such a jump stays native, and it
 * discards any jump in flight from that try statement, which a flag set there would keep: flags must not
 * be used for jumps that may be in flight at it.
 */
export const leavesFinallyIn = (targets: ReturnType<typeof jumpTargets>, node: ESTree.Node): boolean =>
  containsNode(node, (inner) => targets.get(inner as Jump)?.leavesFinally === true);

/**
 * Whether the jumps `jumps` selects under `roots` can become a flag: a jump that leaves inner loops
 * stops them, which moves a for loop's update into its body, and that is unsound while the loop still
 * holds a native continue.
 */
export function innerLoopsCanStop(roots: ESTree.Node[], jumps: (node: ESTree.Node) => boolean): boolean {
  const crossesLoops = roots.some((root) =>
    containsNode(root, (node, ancestors) => jumps(node) && ancestors.some(isLoweredLoop)),
  );
  return (
    !crossesLoops ||
    !roots.some((root) => containsNode(root, (node) => isLoweredLoop(node) && !canStopLoop(node, jumps)))
  );
}

/** The lowering of the jumps `jumps` selects into `flag = true`, stopping the inner loops they leave. */
export function flagLowering(flag: string, jumps: (node: ESTree.Node) => boolean): JumpLowering {
  return {
    flag,
    replace: (statement) => (jumps(statement) ? [flagTrue(flag)] : undefined),
    contains: (statement) => containsNode(statement, jumps),
    stopsLoop: (loop) => containsNode(loop.body, jumps),
    // A jump whose finally block then throws has not happened: the catch that gets the error goes on.
    cancelled: () => [
      {
        type: 'ExpressionStatement',
        expression: {
          type: 'AssignmentExpression',
          operator: '=',
          left: identifier(flag),
          right: { type: 'Literal', value: false },
        },
      },
    ],
  };
}

/**
 * Before statements move into a nested block (under a guard, or into an if's other branch), their
 * `let`, `const` and `class` declarations are split: the names are declared where they were, so that
 * closures written before the move still see them, and the values are assigned in the moved code.
 */
export function splitDeclarations(rest: ESTree.Statement[]): {
  declared: ESTree.Statement[];
  rest: ESTree.Statement[];
} {
  const names: string[] = [];
  const moved = rest.flatMap((statement): ESTree.Statement[] => {
    if (statement.type === 'VariableDeclaration' && statement.kind !== 'var') {
      for (const declarator of statement.declarations)
        names.push(...patternIdentifiers(declarator.id).map((id) => id.name));
      return statement.declarations
        .filter((declarator) => declarator.init)
        .map((declarator) => ({
          type: 'ExpressionStatement',
          expression: { type: 'AssignmentExpression', operator: '=', left: declarator.id, right: declarator.init! },
          loc: declarator.loc,
        }));
    }
    if (statement.type === 'ClassDeclaration' && statement.id) {
      names.push(statement.id.name);
      return [
        {
          type: 'ExpressionStatement',
          expression: {
            type: 'AssignmentExpression',
            operator: '=',
            left: identifier(statement.id.name),
            right: { ...statement, type: 'ClassExpression' },
          },
          loc: statement.loc,
        },
      ];
    }
    return [statement];
  });
  const declared: ESTree.Statement[] = names.length
    ? [
        {
          type: 'VariableDeclaration',
          kind: 'let',
          declarations: names.map((name) => ({ type: 'VariableDeclarator', id: identifier(name), init: null })),
        },
      ]
    : [];
  return { declared, rest: moved };
}

/** Lowers the jumps in a statement list; everything after a statement that may jump runs under the guard. */
export function lowerList(list: ESTree.Statement[], lowering: JumpLowering): ESTree.Statement[] {
  const out: ESTree.Statement[] = [];
  for (let i = 0; i < list.length; i++) {
    const statement = list[i]!;
    const replacement = lowering.replace(statement);
    if (replacement) {
      // What follows a jump in the same block never runs.
      out.push(...replacement);
      return out;
    }
    const jumps = lowering.contains(statement);
    out.push(jumps ? lowerInside(statement, lowering) : statement);
    if (jumps && i < list.length - 1) {
      const { declared, rest } = splitDeclarations(list.slice(i + 1));
      out.push(...declared, {
        type: 'IfStatement',
        test: not(identifier(lowering.flag)),
        consequent: block(lowerList(rest, lowering)),
        alternate: null,
      });
      return out;
    }
  }
  return out;
}

function lowerInside(statement: ESTree.Statement, lowering: JumpLowering): ESTree.Statement {
  // Asked before lowering, while the jumps are still there to be seen.
  const stops = isLoweredLoop(statement) && lowering.stopsLoop(statement);
  const cancels =
    statement.type === 'TryStatement' && statement.handler && lowering.cancelled && lowering.contains(statement.block);
  mapChildStatements(statement, (list) => lowerList(list, lowering));
  if (stops) stopLoop(statement as LoweredLoop, lowering.flag);
  if (cancels) {
    const handler = (statement as ESTree.TryStatement).handler!;
    handler.body.body.unshift(...lowering.cancelled!());
  }
  return statement;
}

/**
 * Makes a loop stop once `flag` is set: its test becomes `!flag && test`. A native break skips a for
 * loop's update, so the update moves to the end of the body, under `!flag`; call this after lowering the
 * body. The move is sound only when no native continue could skip it: see `canStopLoop`.
 */
export function stopLoop(loop: LoweredLoop, flag: string): void {
  if (loop.type === 'ForOfStatement' || loop.type === 'ForInStatement') {
    // Each back end turns these into a test before each iteration (see codegen/ast.ts, stopFlagsOf).
    addStopFlag(loop, flag);
    return;
  }
  loop.test = loop.test ? logical('&&', not(identifier(flag)), loop.test) : not(identifier(flag));
  if (loop.type === 'ForStatement' && loop.update && !updateStaysInPlace(loop)) {
    const update: ESTree.Statement = { type: 'ExpressionStatement', expression: loop.update, loc: loop.update.loc };
    loop.body = block([
      ...asList(loop.body),
      { type: 'IfStatement', test: not(identifier(flag)), consequent: block([update]), alternate: null },
    ]);
    loop.update = null;
  }
}

/**
 * Whether one more run of a for loop's update, after a lowered jump stopped the loop, is unobservable, so
 * the update may stay where it is: it only counts the loop's own `let` variables up or down (`i++`,
 * `i--`), each declared by `let` with a number and never assigned in the body, which nothing after the loop can see (each iteration has its own
 * binding, so no closure sees the extra step either). Anything else (`i = i / d`, `i += 1` on a BigInt)
 * could throw or call user code, so it moves into the body under the flag.
 */
export function updateStaysInPlace(loop: ESTree.ForStatement): boolean {
  if (!loop.update || loop.init?.type !== 'VariableDeclaration' || loop.init.kind !== 'let') return false;
  const counters = new Set(
    loop.init.declarations
      .filter((d) => d.id.type === 'Identifier' && d.init?.type === 'Literal' && typeof d.init.value === 'number')
      .map((d) => (d.id as ESTree.Identifier).name),
  );
  // A counter the body (or a closure in it) assigns may hold anything by the time the loop stops.
  walk(loop.body as ESTree.Node, {
    enter(node) {
      const target =
        node.type === 'AssignmentExpression' ? node.left : node.type === 'UpdateExpression' ? node.argument : undefined;
      if (target) for (const id of patternIdentifiers(target as ESTree.Pattern)) counters.delete(id.name);
      if (
        (node.type === 'ForInStatement' || node.type === 'ForOfStatement') &&
        node.left.type !== 'VariableDeclaration'
      ) {
        for (const id of patternIdentifiers(node.left)) counters.delete(id.name);
      }
    },
  });
  const steps = loop.update.type === 'SequenceExpression' ? loop.update.expressions : [loop.update];
  return steps.every(
    (step) =>
      step.type === 'UpdateExpression' && step.argument.type === 'Identifier' && counters.has(step.argument.name),
  );
}

/**
 * A for loop whose body still holds a native continue cannot have its update moved into the body. The
 * jumps `lowered` selects are becoming flags now, so they do not count.
 */
export function canStopLoop(loop: ESTree.Node, lowered: (node: ESTree.Node) => boolean = () => false): boolean {
  return (
    loop.type !== 'ForStatement' ||
    !loop.update ||
    updateStaysInPlace(loop) ||
    !containsNode(loop.body, (node) => node.type === 'ContinueStatement' && !lowered(node))
  );
}
