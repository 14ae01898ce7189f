// Syntax highlighting for the demo, from acorn's own tokenizer: no second JavaScript grammar to keep in step.
import { tokenizer, type Token } from 'acorn';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function classOf(token: Token, next: Token | undefined, runtime: string): string | undefined {
  const type = token.type;
  if (type.keyword !== undefined) return 'kw';
  switch (type.label) {
    case 'string':
    case 'template':
    case 'regexp':
      return 'str';
    case 'num':
      return 'num';
    case 'name': {
      const name = (token as Token & { value: unknown }).value as string;
      if (name === runtime || name === 'tf') return 'ns';
      if (name === 'yield' || name === 'await' || name === 'let' || name === 'of' || name === 'async') return 'kw';
      return next?.type.label === '(' ? 'fn' : undefined;
    }
    default:
      return undefined;
  }
}

/** HTML for `source` with spans around tokens; text that does not tokenize is shown plain. */
export function highlight(source: string, runtime = 'ag__'): string {
  const comments: { start: number; end: number }[] = [];
  let tokens: Token[];
  try {
    tokens = [
      ...tokenizer(source, {
        ecmaVersion: 'latest',
        allowHashBang: true,
        onComment: (_block, _text, start, end) => comments.push({ start, end }),
      }),
    ];
  } catch {
    return escape(source);
  }
  const spans: { start: number; end: number; cls: string }[] = comments.map((c) => ({ ...c, cls: 'com' }));
  tokens.forEach((token, i) => {
    const cls = classOf(token, tokens[i + 1], runtime);
    if (cls) spans.push({ start: token.start, end: token.end, cls });
  });
  spans.sort((a, b) => a.start - b.start);
  let html = '';
  let at = 0;
  for (const span of spans) {
    html += escape(source.slice(at, span.start));
    html += `<span class="${span.cls}">${escape(source.slice(span.start, span.end))}</span>`;
    at = span.end;
  }
  return html + escape(source.slice(at));
}
