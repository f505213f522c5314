// Splices the replay's tables into the capacity plan between its markers, so a new run refreshes
// the plan's figures without hand copying; the prose around them stays as written.
export const PLAN_BEGIN = '<!-- pnpm autoscaling: begin -->';
export const PLAN_END = '<!-- pnpm autoscaling: end -->';

/** The document with the block between the markers replaced, or null if it has no markers. */
export function spliceTables(document: string, tables: string): string | null {
  const begin = document.indexOf(PLAN_BEGIN);
  const end = document.indexOf(PLAN_END);
  if (begin < 0 || end < begin) return null;
  return `${document.slice(0, begin + PLAN_BEGIN.length)}\n\n${tables.trim()}\n\n${document.slice(end)}`;
}
