// Loop scoping: a `let` in a for loop's head is a fresh binding on every iteration, as JavaScript makes it.
//
//   for (let i = 0; i < n; i++) { fns.push(() => i); }
// becomes
//   for (let i_1 = 0; i_1 < n; i_1++) { let i = i_1; try { fns.push(() => i); } finally { i_1 = i; } }
//
// The loop itself runs on `i_1`; each iteration's body sees its own `i`, which closures keep, and hands
// its final value back for the update. Only variables that a closure in the body captures are copied;
// for the others one binding behaves the same. This runs before the jump passes, which lower any jump
// inside the try like any other, so the value is always handed back.

import { walk } from '../../codegen/ast.js';
import type * as ESTree from 'estree';
import { isFunctionNode, patternIdentifiers, type Binding } from '../../analysis/scopes.js';
import { assign, block, expressionStatement, identifier } from '../../codegen/builders.js';
import type { ConversionContext } from '../context.js';
import { renameReferences } from './renaming.js';

export function transform(fn: ESTree.FunctionExpression, ctx: ConversionContext): ESTree.FunctionExpression {
  const scopes = ctx.scopesOf(fn);
  walk(fn.body as ESTree.Node, {
    leave(node) {
      if (node.type !== 'ForStatement' || node.init?.type !== 'VariableDeclaration' || node.init.kind !== 'let') return;
      const headScope = scopes.scopeOf.get(node);
      if (!headScope) return;
      const captured = new Set<Binding>();
      walk(node.body as ESTree.Node, {
        enter(inner) {
          if (!isFunctionNode(inner)) return;
          walk(inner, {
            enter(id) {
              const binding = id.type === 'Identifier' ? scopes.referenceOf.get(id)?.binding : undefined;
              if (binding && binding.scope === headScope) captured.add(binding);
            },
          });
          this.skip();
        },
      });
      if (captured.size === 0) return;
      const renamed = new Map([...captured].map((binding) => [binding, ctx.namer.fresh(binding.name)]));
      for (const [binding, name] of renamed) ctx.userNames.set(name, binding.name);
      const rename = (root: ESTree.Node | null | undefined) => renameReferences(root, renamed, scopes);
      for (const declarator of node.init.declarations) {
        rename(declarator.init);
        // Default values in a destructuring head may read names bound before them in the same head.
        rename(declarator.id);
        for (const id of patternIdentifiers(declarator.id)) {
          const binding = headScope.bindings.get(id.name);
          const name = binding && renamed.get(binding);
          if (name) id.name = name;
        }
        // Again, now that the declared names changed: shorthand keys are spelled out.
        rename(declarator.id);
      }
      rename(node.test);
      rename(node.update);
      const copies: ESTree.VariableDeclaration = {
        type: 'VariableDeclaration',
        kind: 'let',
        declarations: [...renamed].map(([binding, name]) => ({
          type: 'VariableDeclarator',
          id: identifier(binding.name),
          init: identifier(name),
        })),
      };
      const handBack = [...renamed].map(([binding, name]) =>
        expressionStatement(assign(identifier(name), identifier(binding.name))),
      );
      node.body = block([
        copies,
        {
          type: 'TryStatement',
          block: node.body.type === 'BlockStatement' ? node.body : block([node.body]),
          handler: null,
          finalizer: block(handBack),
        },
      ]);
    },
  });
  return fn;
}
