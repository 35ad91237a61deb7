import cliProgress from 'cli-progress';

/** A progress bar on stderr when it is a terminal and --json is off; otherwise nothing. */
export function progressBar(enabled: boolean, label: string): { update(done: number, total: number, detail?: string): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `${label} [{bar}] {value}/{total} {detail}`, hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, detail = '') {
      const d = detail.length > 50 ? '…' + detail.slice(-49) : detail;
      if (!started) {
        bar.start(Math.max(total, 1), done, { detail: d });
        started = true;
      } else {
        bar.setTotal(Math.max(total, 1));
        bar.update(done, { detail: d });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
