package dev.ami.console;

import dev.ami.telemetry.Percentiles;

/**
 * The recent values of one measurement, kept for a fixed time window in a bounded ring: rate, last value and
 * percentiles for the console's panels. Memory is fixed however fast values arrive. Not thread-safe.
 *
 * <p>Percentiles come from {@link Percentiles}, refilled from the ring's values inside the window when asked
 * (a histogram cannot forget single values as they leave the window): O(n) without a sort or an allocation,
 * once per {@code now}, since a panel asks for several percentiles of the same moment.
 */
public final class WindowStats {
  private final long windowNanos;
  private final long rateWindowNanos;
  private final long[] times;
  private final double[] values;
  private int head; // next write position
  private int size;
  private long firstSeen = Long.MIN_VALUE;
  private long added; // values ever added: with filledAt, whether the window's histogram is still current
  private final Percentiles window = new Percentiles();
  private double windowSum;
  private long filledAt;
  private long filledAdded = -1;

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
    added++;
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
    Percentiles w = fill(now);
    return w.count() == 0 ? Double.NaN : windowSum / w.count();
  }

  /**
   * Nearest-rank percentile over the window, p in [0,100], within 0.1 % (the maximum and minimum exact); NaN when
   * no finite value is in it.
   */
  public double percentile(long now, double p) {
    return fill(now).percentile(p);
  }

  /** The finite values inside the window that ends at {@code now}, unless they are already in. */
  private Percentiles fill(long now) {
    if (filledAdded == added && filledAt == now) {
      return window;
    }
    window.reset();
    windowSum = 0;
    long from = now - windowNanos;
    for (int i = 0; i < size; i++) {
      int idx = (head - 1 - i + times.length) % times.length;
      if (times[idx] <= from) {
        break;
      }
      double v = values[idx];
      if (Double.isFinite(v)) {
        window.record(v);
        windowSum += v;
      }
    }
    filledAt = now;
    filledAdded = added;
    return window;
  }
}
