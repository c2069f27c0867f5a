/** Benchmark-only workflows entry: the engine's workflows plus the skeleton. */
export * from '../workflows';
export * from './skeleton-workflows';
