export { simulate, type SimulationResult, type Progress } from './simulate.js';
export { readSimulatorSettings, type SimulatorSettings } from './settings.js';
export { writeReport, verdicts, renderMarkdown } from './report.js';
export { HttpClient, type HttpRequest, type HttpResponse } from './http.js';
