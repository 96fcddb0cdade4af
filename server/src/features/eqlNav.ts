// Position -> EQL node for hover and completion, over the front end's `nodeAtOffset`.
import { rootExpressions, walkExpr, type Category, type Expr, type Statement } from '../eql/ast';
import { nodeAtOffset } from '../eql';

const EXPR_OR_CATEGORY = new Set(['category', 'and', 'or', 'not', 'compare', 'in', 'match', 'arith', 'negate', 'call', 'field', 'literal', 'lineage', 'error']);

/** The innermost expression or event category at query offset `q`. */
export function nodeAt(stmt: Statement, q: number): Expr | Category | undefined {
  const { node } = nodeAtOffset(stmt, q);
  return EXPR_OR_CATEGORY.has(node.kind) ? (node as Expr | Category) : undefined;
}

/** Every field name a statement reads, for ranking completion by what sibling rules use. */
export function fieldsUsed(stmt: Statement): string[] {
  const out = new Set<string>();
  for (const root of rootExpressions(stmt)) {
    walkExpr(root, (e) => {
      if (e.kind === 'field') out.add(e.name);
    });
  }
  return [...out];
}
