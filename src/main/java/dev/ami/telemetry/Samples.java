package dev.ami.telemetry;

import java.util.Arrays;

/** A growable list of measurements with exact percentiles, for benchmarks. Not thread-safe. */
public final class Samples {
  private double[] values = new double[1024];
  private int size;

  public void add(double v) {
    if (!Double.isFinite(v)) {
      return;
    }
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = v;
  }

  /** Forgets every value (the storage is kept). */
  public void clear() {
    size = 0;
  }

  public int count() {
    return size;
  }

  /** Nearest-rank percentile, p in [0,100]; NaN when empty. */
  public double percentile(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    double[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
  }

  public double max() {
    return percentile(100);
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
