// What one service's chart page draws, built by render.ts from the replay's report. Plain data: it
// crosses into the page as JSON.
export interface ChartData {
  title: string;
  subtitle: string;
  unit: string;
  seconds: number[];
  offered: number[];
  served: number[];
  desired: number[];
  ready: number[];
  utilisation: number[];
  marks: { second: number; label: string; color: string }[];
  phases: { start: number; name: string }[];
}
