// Grafana's dashboard grid: 24 columns over the dashboard's width, rows of 30 px with 8 px between
// cells (GRID_CELL_HEIGHT, GRID_CELL_VMARGIN in Grafana's source), so a panel of h rows is
// h × 30 + (h − 1) × 8 px tall.
import type { GridPos } from './dashboard-schema.ts';

export const GRID_COLUMNS = 24;
export const CELL_HEIGHT = 30;
export const CELL_MARGIN = 8;

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function panelBox(grid: GridPos, dashboardWidth: number): Box {
  const column = (dashboardWidth - CELL_MARGIN * (GRID_COLUMNS - 1)) / GRID_COLUMNS;
  return {
    left: Math.round(grid.x * (column + CELL_MARGIN)),
    top: grid.y * (CELL_HEIGHT + CELL_MARGIN),
    width: Math.round(grid.w * column + (grid.w - 1) * CELL_MARGIN),
    height: grid.h * CELL_HEIGHT + (grid.h - 1) * CELL_MARGIN,
  };
}

/** Height of the whole grid: the bottom edge of its lowest panel. */
export function dashboardHeight(grids: readonly GridPos[]): number {
  const rows = Math.max(0, ...grids.map((grid) => grid.y + grid.h));
  return rows * (CELL_HEIGHT + CELL_MARGIN) - CELL_MARGIN;
}
