export { renderDashboards, loadDashboards, type Rendered, type RenderOptions } from './render.ts';
export { renderRun, freePort } from './render-run.ts';
export { EmptyPanelError } from './panel-data.ts';
export { RunFile, readRunFile } from './run-file.ts';
