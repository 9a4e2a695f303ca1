package dev.ami.telemetry;

import java.util.Arrays;

/**
 * A growable list of measurements, for benchmarks: percentiles from {@link Percentiles} (within 0.1 %; the
 * maximum exact), means of the first and last values from the list. Not thread-safe.
 */
public final class Samples {
  private double[] values = new double[1024];
  private int size;
  private final Percentiles percentiles = new Percentiles();

  public void add(double v) {
    if (!Double.isFinite(v)) {
      return;
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
    percentiles.record(v);
  }

  /** Forgets every value (the storage is kept). */
  public void clear() {
    size = 0;
    percentiles.reset();
  }

  public int count() {
    return size;
  }

  /** Nearest-rank percentile, p in [0,100], within 0.1 %; NaN when empty. */
  public double percentile(double p) {
    return percentiles.percentile(p);
  }

  /** The largest value, exact; NaN when empty. */
  public double max() {
    return percentiles.max();
  }

  public double first() {
    return size == 0 ? Double.NaN : values[0];
  }

  /** Mean of the last {@code n} values (or all, if fewer). */
  public double meanOfLast(int n) {
    if (size == 0) {
      return Double.NaN;
    }
    int from = Math.max(0, size - n);
    double sum = 0;
    for (int i = from; i < size; i++) {
      sum += values[i];
    }
    return sum / (size - from);
  }

  /** Mean of the first {@code n} values (or all, if fewer). */
  public double meanOfFirst(int n) {
    if (size == 0) {
      return Double.NaN;
    }
    int to = Math.min(size, n);
    double sum = 0;
    for (int i = 0; i < to; i++) {
      sum += values[i];
    }
    return sum / to;
  }
}
