// Graph summaries: node counts by kind, and text and Graphviz renderings.

import { kernelsAhead, MAX_ROUND, ranOnHost, speculates } from './executor.js';
import {
  mayStopAtGuard,
  nodeBlocks,
  nodeInputs,
  nodeOutputs,
  slotsIn,
  type Block,
  type ConstantNode,
  type Graph,
  type Node,
  type ValueId,
} from './graph.js';
import { fusedExpression, kernelsIn } from './fusion.js';
import { hostSizeLimit, runsOnHost } from './placement.js';
import { isOpStep, reductionText, type Elementwise } from '../kernels/elementwise.js';
import { LOOP_ROUND_KERNEL, type FusedLoop } from '../kernels/loop_code.js';
import { countingLoop, stepsByOne } from './trip_count.js';
import { tf } from '../operators/tensors.js';

export interface GraphSummary {
  /** How many nodes of each kind the graph has, nested blocks included (kernels also by name). */
  nodes: Record<string, number>;
  /** Kernels and reads of the call graphFor ran (a replay, so what a call with these inputs costs). */
  kernelsPerCall: number;
  readsPerCall: number;
  /** How many constants the graph holds (made once, not on every call). */
  constants: number;
  /** Branches and loop bodies no trace has run yet. */
  untraced: number;
  /** Why the graph's elementwise kernels are not fused, where they are not: fusion off, or not possible here. */
  notFused?: string;
  text: string;
  dot: string;
}

const v = (id: number) => `%${id}`;

/** On a backend whose reads wait for the device, how much of the next iteration starts during each read. */
function startsAhead(block: Block): string {
  const backend = tf.getBackend();
  const count = backend === 'cpu' || backend === 'wasm' ? 0 : kernelsAhead(block);
  return count === 0 ? '' : `, during which ${count} kernels of the next iteration start`;
}

function describe(node: Node): string {
  switch (node.kind) {
    case 'kernel': {
      if (node.name === LOOP_ROUND_KERNEL) {
        const { body, iterations } = (node.attrs as { loop: FusedLoop }).loop;
        const kernels = body.filter((step) => isOpStep(step)).length;
        return `${node.outputs.map(v).join(', ')} = fused loop round (${node.inputs.map(v).join(', ')}): up to ${iterations} iterations of ${kernels} kernels per element`;
      }
      const expression = fusedExpression(node);
      if (expression) return `${v(node.outputs[0]!)} = ${describeFused(expression, node.inputs)}`;
      return `${node.outputs.map(v).join(', ')} = ${node.name}(${node.inputs.map(v).join(', ')})`;
    }
    case 'constant':
      return `${v(node.output)} = constant ${node.dtype}[${node.shape.join(',')}]`;
    case 'variable':
      return node.source === undefined
        ? `${v(node.output)} = read variable '${node.variable.name}'`
        : `${v(node.output)} = read variable ${v(node.source)}`;
    case 'capture':
      return `${v(node.output)} = outside tensor ${node.tensor.dtype}[${node.tensor.shape.join(',')}]`;
    case 'random':
      return `${v(node.output)} = ${node.label}(${JSON.stringify(node.args).slice(1, -1)})`;
    case 'assign':
      return node.target === undefined
        ? `assign variable '${node.variable.name}' = ${v(node.input)}`
        : `assign variable ${v(node.target)} = ${v(node.input)}`;
    case 'newVariable':
      return `${v(node.output)} = new variable(${v(node.input)})${node.disposed ? ', disposed at the end' : ''}`;
    case 'effect':
      return `${node.label}(${slotsIn(node.args).map(v).join(', ')})`;
    case 'if':
      return `${node.outputs.map(v).join(', ')} = if ${v(node.condition)}`;
    case 'loop':
      return `${node.outputs.map(v).join(', ')} = loop (${node.carried.map(v).join(', ')}) while ${v(node.condition)}`;
  }
}

/**
 * A fused kernel as the expression it computes over its inputs: `fused 7 kernels (%1): Select(...)`, with
 * values it computes once and uses twice named first (`t2 = Abs(%1); ...`).
 */
function describeFused(expression: Elementwise, inputs: readonly ValueId[]): string {
  const { steps } = expression;
  const uses = steps.map(() => 0);
  for (const step of steps) if (isOpStep(step)) for (const k of step.args) uses[k]!++;
  const text: string[] = [];
  const bindings: string[] = [];
  steps.forEach((step, k) => {
    if (step.op === 'input') text.push(v(inputs[(step as { input: number }).input]!));
    else if (step.op === 'literal') text.push(String((step as { value: number }).value));
    else if (isOpStep(step)) {
      const attrs = step.attrs
        ? `{${Object.entries(step.attrs)
            .map(([a, x]) => `${a}: ${x}`)
            .join(', ')}}`
        : '';
      const call = `${step.op}${attrs}(${step.args.map((a) => text[a]).join(', ')})`;
      if (uses[k]! > 1) {
        bindings.push(`t${k} = ${call}`);
        text.push(`t${k}`);
      } else text.push(call);
    }
  });
  const last = text[text.length - 1]!;
  // A reduction that ends the kernel, with the axes or the innermost elements it reduces over.
  const value = expression.reduce ? reductionText(expression.reduce, last) : last;
  const body = [...bindings, value].join('; ');
  return `fused ${kernelsIn(expression)} kernels (${inputs.map(v).join(', ')}): ${body}`;
}

/** Every constant of a graph, by the value it defines. */
function constantsOf(block: Block, found = new Map<ValueId, ConstantNode>()): Map<ValueId, ConstantNode> {
  for (const node of block.nodes) {
    if (node.kind === 'constant') found.set(node.output, node);
    for (const inner of nodeBlocks(node)) constantsOf(inner, found);
  }
  return found;
}

function textOf(block: Block, indent: string, constants: Map<ValueId, ConstantNode>): string[] {
  const lines: string[] = [];
  for (const node of block.nodes) {
    lines.push(indent + describe(node));
    if (node.kind === 'if') {
      node.branches.forEach((branch, k) => {
        lines.push(`${indent}  ${k === 0 ? 'then' : 'else'}:${branch ? '' : ' (not traced yet)'}`);
        if (branch)
          lines.push(
            ...textOf(branch, `${indent}    `, constants),
            `${indent}    yield ${branch.results.map(v).join(', ')}`,
          );
      });
    } else if (node.kind === 'loop') {
      if (node.blocks.length === 0) lines.push(`${indent}  body: (not traced yet)`);
      // Where the last replay ran it; before any, where it may (the sizes of its values decide).
      const onHost = ranOnHost(node) ?? runsOnHost(node, tf.getBackend());
      for (const inner of node.blocks) {
        const types = inner.paramTypes.map((t) => `${t.dtype}[${t.shape.join(',')}]`).join(', ');
        // Where the replay runs the loop, and whether its fewer-reads rounds apply, or it reads its
        // condition every iteration.
        // As the executor decides it: a counting loop whose step is the constant 1.
        const form = countingLoop(node, block);
        const counted = form !== null && stepsByOne(form, (id) => constants.get(id));
        const counting = counted ? 'counting: one read of its trip count when it starts' : '';
        // A fused loop's block is a round: each element iterates alone, up to a bound per round.
        const fused = node.iterationsPerRound
          ? `fused: each element iterates alone, ${node.iterationsPerRound} iterations per round, `
          : '';
        const reads = onHost
          ? `on the CPU (every value has at most ${hostSizeLimit()} elements), ${fused}` +
            (counting || 'reading its condition there')
          : counting ||
            (speculates(inner)
              ? `${fused}up to ${MAX_ROUND} ${fused ? 'rounds' : 'iterations'} per read`
              : 'one read per iteration: its body does more than compute' + startsAhead(inner));
        lines.push(`${indent}  body (${inner.params.map(v).join(', ')}) for ${types}, ${reads}:`);
        lines.push(
          ...textOf(inner, `${indent}    `, constants),
          `${indent}    next ${inner.results.map(v).join(', ')}`,
        );
      }
    }
  }
  return lines;
}

function dotOf(graph: Graph): string {
  const lines = ['digraph G {', '  node [shape=box, fontname="monospace"];'];
  const definer = new Map<number, string>();
  let count = 0;
  const visit = (block: Block, prefix: string) => {
    for (const node of block.nodes) {
      const name = `n${count++}`;
      lines.push(`  ${name} [label=${JSON.stringify(prefix + describe(node))}];`);
      for (const id of nodeInputs(node)) {
        const from = definer.get(id);
        if (from) lines.push(`  ${from} -> ${name};`);
      }
      for (const id of nodeOutputs(node)) definer.set(id, name);
      for (const inner of nodeBlocks(node)) {
        for (const id of inner.params) definer.set(id, name);
        visit(inner, `${prefix}  `);
      }
    }
  };
  graph.inputs.forEach((id, k) => {
    lines.push(`  in${k} [label="input ${k} ${v(id)}", shape=ellipse];`);
    definer.set(id, `in${k}`);
  });
  visit(graph.body, '');
  lines.push('}');
  return lines.join('\n');
}

export function summarize(graph: Graph, kernelsPerCall: number, readsPerCall: number, notFused?: string): GraphSummary {
  const nodes: Record<string, number> = {};
  let constants = 0;
  const count = (block: Block) => {
    for (const node of block.nodes) {
      nodes[node.kind] = (nodes[node.kind] ?? 0) + 1;
      if (node.kind === 'kernel') nodes[`kernel ${node.name}`] = (nodes[`kernel ${node.name}`] ?? 0) + 1;
      if (node.kind === 'constant') constants++;
      nodeBlocks(node).forEach(count);
    }
  };
  count(graph.body);
  // A replay that may stop at a guard holds its prints until it ends (graph/executor.ts): say so.
  const held = graph.effects && mayStopAtGuard(graph.body);
  const text = [
    ...(held ? ['(a replay may stop part-way and trace again: its prints show when it ends)'] : []),
    ...(notFused ? [`(not fused: ${notFused})`] : []),
    `inputs ${graph.inputs.map(v).join(', ')}`,
    ...textOf(graph.body, '', constantsOf(graph.body)),
    `return ${slotsIn(graph.output).map(v).join(', ')}`,
  ].join('\n');
  return {
    nodes,
    kernelsPerCall,
    readsPerCall,
    constants,
    untraced: graph.untraced,
    ...(notFused ? { notFused } : {}),
    text,
    dot: dotOf(graph),
  };
}
