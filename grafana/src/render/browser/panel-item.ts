// What the page's script receives for one panel that shows data: the panel narrowed to its type,
// its box, and the answers of its queries on one time axis.
import type { Box } from '../layout.ts';
import type { Series } from '../panel-data.ts';

export interface Drawn<P> {
  panel: P;
  box: Box;
  /** Unix seconds, shared by every series. */
  times: number[];
  series: Series[];
  /** Heatmaps: the upper bound of each series' bucket, ascending. */
  buckets?: number[];
}
