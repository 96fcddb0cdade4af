// Position -> EQL node, for hover and completion. A thin adapter over the shared AST (ast.ts):
// the parser's own `nodeAtOffset` was not exported yet when this was written.
import { filtersOf, rootExpressions, walkExpr, type Category, type Expr, type Statement } from '../eql/ast';

const inside = (s: { start: number; end: number }, q: number) => q >= s.start && q <= s.end;

/** The innermost expression or event category at query offset `q`. */
export function nodeAt(stmt: Statement, q: number): Expr | Category | undefined {
  for (const f of filtersOf(stmt.query)) if (f.category.name !== null && inside(f.category.span, q) && f.category.span.end > f.category.span.start) return f.category;
  let best: Expr | undefined;
  for (const root of rootExpressions(stmt)) {
    if (!inside(root.span, q)) continue;
    walkExpr(root, (e) => {
      if (!inside(e.span, q)) return false;
      if (!best || e.span.end - e.span.start <= best.span.end - best.span.start) best = e;
      return true;
    });
  }
  return best;
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
