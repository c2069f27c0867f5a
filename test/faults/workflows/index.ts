/**
 * The workflows the fault suite's worker runs: the engine's, plus drivers for activities no engine
 * workflow calls yet. Bundled by the fault harness only (never part of the engine's bundle).
 */
export * from '../../../workflows';
export { zspayScheduledTransferWorkflow } from './zspay-scheduled-transfer';
