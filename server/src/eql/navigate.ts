// Position -> AST node, for hover and completion. Iterative: trees of real rules can be
// thousands of nodes deep on one side (long arithmetic chains), so no recursion here.

import { exprChildren, type Expr, type Node, type Statement } from './ast';

/** Direct children of any node, in source order. */
export function childrenOf(n: Node): Node[] {
  switch (n.kind) {
    case 'statement':
      return [n.query, ...n.pipes];
    case 'event':
      return [n.filter];
    case 'sequence':
      return [...n.by, ...(n.maxspan ? [n.maxspan] : []), ...n.terms, ...(n.until ? [n.until] : [])];
    case 'sample':
      return [...n.by, ...n.terms];
    case 'join':
      return [...n.by, ...n.terms, ...(n.until ? [n.until] : [])];
    case 'filter':
      return [n.category, n.condition];
    case 'term':
      return [n.filter, ...n.by];
    case 'pipe':
      return n.args;
    case 'category':
    case 'maxspan':
      return [];
    case 'lineage':
      return [n.filter];
    default:
      return exprChildren(n as Expr);
  }
}

export interface NodeAt {
  /** The innermost node whose span covers the offset. */
  node: Node;
  /** Its ancestors, outermost (the statement) first, parent last. */
  ancestors: Node[];
}

/**
 * The innermost node covering `offset` (a span covers its end too, so a cursor just after an
 * identifier still finds it; a node that strictly contains the offset wins over one that ends
 * there). Falls back to the statement itself.
 */
export function nodeAtOffset(ast: Statement, offset: number): NodeAt {
  const ancestors: Node[] = [];
  let node: Node = ast;
  for (;;) {
    let next: Node | null = null;
    for (const c of childrenOf(node)) {
      const { start, end } = c.span;
      if (start <= offset && offset < end) {
        next = c;
        break;
      }
      if (start <= offset && offset === end && next === null) next = c;
    }
    if (!next) return { node, ancestors };
    ancestors.push(node);
    node = next;
  }
}
