import type { parseAst } from 'vite';

type Program = ReturnType<typeof parseAst>;

/**
 * Native async syntax in an ESTree program: async functions/arrows/methods, `await` expressions and
 * `for await` loops. Top-level awaits count too unless `topLevel` is false.
 */
export function countNativeAsync(program: Program, { topLevel = true } = {}): number {
  let count = 0;
  const visit = (node: unknown, inFunction: boolean): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child, inFunction);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const n = node as { type?: unknown; async?: unknown; await?: unknown };
    const isFunction =
      n.type === 'FunctionDeclaration' ||
      n.type === 'FunctionExpression' ||
      n.type === 'ArrowFunctionExpression';
    if (isFunction && n.async === true) count++;
    if (
      (n.type === 'AwaitExpression' || (n.type === 'ForOfStatement' && n.await === true)) &&
      (topLevel || inFunction)
    )
      count++;
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'parent') visit(value, inFunction || isFunction);
    }
  };
  visit(program, false);
  return count;
}
