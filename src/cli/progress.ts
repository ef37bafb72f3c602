/** Progress of a long command on stderr: at most one line a second, and always the last one. */
export function createProgress(label: string, total: number, intervalMs = 1000): { tick(): void } {
  let done = 0;
  let lastPrinted = 0;
  return {
    tick() {
      done += 1;
      const now = Date.now();
      if (done < total && now - lastPrinted < intervalMs) return;
      lastPrinted = now;
      process.stderr.write(`${label}: ${done}/${total}\n`);
    },
  };
}
