/** Logs how long each step of a data build took, under `what` (e.g. "timeline data"): a full run's build takes minutes. */
export function timedSteps(what: string): <T>(label: string, work: () => Promise<T>) => Promise<T> {
  return async (label, work) => {
    const started = performance.now();
    const result = await work();
    console.log(`${what}: ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return result;
  };
}
