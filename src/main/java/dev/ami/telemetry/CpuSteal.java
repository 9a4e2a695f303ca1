package dev.ami.telemetry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's CPU time and the part of it the hypervisor gave to someone else (steal), summed over all CPUs,
 * from {@code /proc/stat}. On a shared VM a tick can start late while this VM does not run at all; a benchmark
 * reports the steal so such a host can be told from a fault of the runtime (docs/benchmarks.md).
 */
public final class CpuSteal {
  /** Clock ticks since boot: all CPU time, and the stolen part. */
  public record Sample(long total, long steal) {
    /** Stolen share of the CPU time from {@code earlier} to this sample, in percent; NaN if none passed. */
    public double stealPercentSince(Sample earlier) {
      return minus(earlier).stealPercent();
    }

    /** Stolen share of this sample's CPU time, in percent; NaN if it has none. */
    public double stealPercent() {
      return total <= 0 ? Double.NaN : 100.0 * steal / total;
    }

    /** The CPU time from {@code earlier} to this sample. */
    public Sample minus(Sample earlier) {
      return new Sample(total - earlier.total, steal - earlier.steal);
    }

    /** Both samples' CPU time together (two spans summed). */
    public Sample plus(Sample other) {
      return new Sample(total + other.total, steal + other.steal);
    }
  }

  /** No CPU time known (not Linux): every share from it is NaN. */
  public static final Sample NONE = new Sample(0, 0);

  private CpuSteal() {
  }

  /** Now; {@link #NONE} where /proc/stat is not there. */
  public static Sample read() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      return lines.isEmpty() ? NONE : parse(lines.get(0));
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  /**
   * The first line of /proc/stat: {@code cpu user nice system idle iowait irq softirq steal [guest guest_nice]}.
   * Guest time is already counted in user and nice, so it is not added again.
   */
  static Sample parse(String line) {
    String[] f = line.trim().split("\\s+");
    if (!f[0].equals("cpu") || f.length < 9) {
      throw new IllegalArgumentException("not the cpu line of /proc/stat: " + line);
    }
    long total = 0;
    for (int i = 1; i <= 8; i++) {
      total += Long.parseLong(f[i]);
    }
    return new Sample(total, Long.parseLong(f[8]));
  }
}
