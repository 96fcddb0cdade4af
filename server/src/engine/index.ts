// The local EQL engine: compile a parsed statement once, stream events through it.
// Plain data in and out; no editor imports.
export { compileQuery, type CompiledQuery, type CompileResult, type EngineOptions } from './compile';
export { runQuery, type RunResult, type RunStats, type RunOptions, type Match, type MatchEvent, type MatchedEvent, type Progress, type EventSource } from './run';
export { readEventFile, eventsOfResponse, type SkippedLine, type Batch } from './reader';
