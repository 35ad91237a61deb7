/** The process's resident memory, sampled every second while `work` runs (inference workers are threads of this process). */
export async function withRssSamples<T>(work: () => Promise<T>): Promise<{ result: T; startMib: number; peakMib: number; byTenthMib: number[] }> {
  const mib = (b: number): number => Math.round(b / 1048576);
  const start = process.memoryUsage().rss;
  const samples: number[] = [];
  const timer = setInterval(() => samples.push(process.memoryUsage().rss), 1000);
  let result: T;
  try {
    result = await work();
  } finally {
    clearInterval(timer);
  }
  samples.push(process.memoryUsage().rss);
  const byTenthMib = Array.from({ length: 10 }, (_, i) => mib(samples[Math.min(samples.length - 1, Math.max(0, Math.ceil(((i + 1) * samples.length) / 10) - 1))]!));
  return { result, startMib: mib(start), peakMib: mib(Math.max(start, ...samples)), byTenthMib };
}
