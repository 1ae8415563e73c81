import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { IoCounters } from './io-counters';
import type { ProcessUsage } from './protocol';

const MB = 1024 * 1024;

/**
 * Measures this process over a window opened by {@link reset}: CPU (process.cpuUsage), RSS
 * (current and peak, sampled every 100 ms), event-loop utilisation and event-loop delay.
 */
export class UsageMeter {
  private cpu = process.cpuUsage();
  private startedAt = performance.now();
  private elu = performance.eventLoopUtilization();
  private peakRss = process.memoryUsage.rss();
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly sampler: NodeJS.Timeout;
  private io: IoCounters | undefined;

  constructor() {
    this.delay.enable();
    this.sampler = setInterval(() => {
      this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss());
    }, 100);
    this.sampler.unref();
  }

  /** Reports (and resets) these Postgres/Redis counters with the usage. */
  attachIo(io: IoCounters): void {
    this.io = io;
  }

  reset(): void {
    this.io?.reset();
    this.cpu = process.cpuUsage();
    this.startedAt = performance.now();
    this.elu = performance.eventLoopUtilization();
    this.peakRss = process.memoryUsage.rss();
    this.delay.reset();
  }

  read(): ProcessUsage {
    const cpu = process.cpuUsage(this.cpu);
    const wallMs = performance.now() - this.startedAt;
    const memory = process.memoryUsage();
    const rss = memory.rss;
    this.peakRss = Math.max(this.peakRss, rss);
    const user = cpu.user / 1000;
    const system = cpu.system / 1000;
    return {
      wallMs: round(wallMs),
      cpuUserMs: round(user),
      cpuSystemMs: round(system),
      cpuPercent: round(wallMs > 0 ? ((user + system) / wallMs) * 100 : 0),
      rssMb: round(rss / MB),
      peakRssMb: round(this.peakRss / MB),
      heapUsedMb: round(memory.heapUsed / MB),
      heapTotalMb: round(memory.heapTotal / MB),
      externalMb: round(memory.external / MB),
      eventLoopUtilization: round(performance.eventLoopUtilization(this.elu).utilization, 3),
      loopDelayP99Ms: round(this.delay.percentile(99) / 1e6),
      loopDelayMaxMs: round(this.delay.max / 1e6),
      ...(this.io ? { io: this.io.read() } : {}),
    };
  }

  stop(): void {
    clearInterval(this.sampler);
    this.delay.disable();
  }
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
