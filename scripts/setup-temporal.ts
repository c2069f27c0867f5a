/** `npm run setup`: installs (or finds) the Temporal CLI and the time-skipping test server. */
import { ensureTemporalBinaries } from './temporal-binaries';

try {
  const binaries = ensureTemporalBinaries();
  console.log(`Temporal CLI:         ${binaries.cli}`);
  console.log(`Time-skipping server: ${binaries.testServer}`);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
