import { serveSettings } from './serve-settings.js';
import { UsageError } from './usage-error.js';

/**
 * What `up` and `start` hand their children, checked in this process first: a bad value is a usage
 * error naming the variable before Redis or any child starts, as `worker` and `serve` would refuse it.
 */
export async function checkClusterSettings(env: NodeJS.ProcessEnv, withServer: boolean): Promise<void> {
  // Loaded here, not at the top: `up --help` need not load the worker.
  const { workerSettings, WorkerSettingsError } = await import('@agent-factory/worker');
  try {
    workerSettings(env);
  } catch (error) {
    if (error instanceof WorkerSettingsError) throw new UsageError(error.message);
    throw error;
  }
  if (withServer) serveSettings(env);
}
