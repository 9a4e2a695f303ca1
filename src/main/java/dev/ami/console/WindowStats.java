package dev.ami.console;

import java.util.Arrays;

/**
 * The recent values of one measurement, kept for a fixed time window in a bounded ring: rate, last value and
 * percentiles for the console's panels. Memory is fixed however fast values arrive. Not thread-safe.
 */
public final class WindowStats {
  private final long windowNanos;
  private final long rateWindowNanos;
  private final long[] times;
  private final double[] values;
  private int head; // next write position
  private int size;
  private long firstSeen = Long.MIN_VALUE;

  /**
   * @param windowNanos how far back percentiles look
   * @param rateWindowNanos how far back the rate looks (shorter, so the rate reacts quickly to a pause)
   * @param capacity most values kept; older ones fall out first
   */
  public WindowStats(long windowNanos, long rateWindowNanos, int capacity) {
    this.windowNanos = windowNanos;
    this.rateWindowNanos = rateWindowNanos;
    this.times = new long[capacity];
    this.values = new double[capacity];
  }

  /** Adds a value seen at {@code nanos}; non-finite values count for the rate but not for percentiles. */
  public void add(long nanos, double value) {
    if (firstSeen == Long.MIN_VALUE) {
      firstSeen = nanos;
    }
    times[head] = nanos;
    values[head] = value;
    head = (head + 1) % times.length;
    size = Math.min(size + 1, times.length);
  }

  /** The last value added, or NaN. */
  public double last() {
    return size == 0 ? Double.NaN : values[(head - 1 + times.length) % times.length];
  }

  /** Values per second over the rate window (0 when nothing arrived in it). */
  public double ratePerSecond(long now) {
    if (size == 0) {
      return 0;
    }
    long from = now - rateWindowNanos;
    int count = 0;
    for (int i = 0; i < size; i++) {
      long t = times[(head - 1 - i + times.length) % times.length];
      if (t <= from) {
        break;
      }
      count++;
    }
    long span = Math.min(rateWindowNanos, now - firstSeen);
    return span <= 0 ? 0 : count / (span / 1e9);
  }

  /** Mean of the finite values in the window; NaN when there are none. */
  public double mean(long now) {
    double[] recent = recentFinite(now);
    if (recent.length == 0) {
      return Double.NaN;
    }
    double sum = 0;
    for (double v : recent) {
      sum += v;
    }
    return sum / recent.length;
  }

  /** Nearest-rank percentile over the window, p in [0,100]; NaN when no finite value is in it. */
  public double percentile(long now, double p) {
    double[] recent = recentFinite(now);
    if (recent.length == 0) {
      return Double.NaN;
    }
    Arrays.sort(recent);
    int rank = (int) Math.ceil(p / 100.0 * recent.length);
    return recent[Math.max(0, Math.min(recent.length - 1, rank - 1))];
  }

  private double[] recentFinite(long now) {
    long from = now - windowNanos;
    double[] out = new double[size];
    int n = 0;
    for (int i = 0; i < size; i++) {
      int idx = (head - 1 - i + times.length) % times.length;
      if (times[idx] <= from) {
        break;
      }
      if (Double.isFinite(values[idx])) {
        out[n++] = values[idx];
      }
    }
    return Arrays.copyOf(out, n);
  }
}
