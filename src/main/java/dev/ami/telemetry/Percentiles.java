package dev.ami.telemetry;

import org.HdrHistogram.DoubleHistogram;

/**
 * Nearest-rank percentiles of signed values to 3 significant digits, in HdrHistogram's fixed-precision buckets:
 * recording is O(1) and allocates nothing once the buckets cover the values' range (a histogram grows only when
 * a value falls outside every earlier one's range, and {@link #reset} keeps what it grew), so it can sit on an
 * event loop; memory does not grow with the number of values. The smallest and largest value are exact, and
 * every percentile is clamped between them. Not thread-safe.
 */
public final class Percentiles {
  /** Significant digits: a percentile is within 0.1 % of the value of that rank. */
  static final int DIGITS = 3;
  /**
   * Magnitudes below this count as 0 (a nanosecond in milliseconds), and above {@link #LARGEST} as LARGEST: a
   * histogram holds at most about 10^15 between its smallest and largest non-zero value, and refuses a value
   * beyond that, which a measurement must never do.
   */
  static final double SMALLEST = 1e-6;
  static final double LARGEST = 1e9;

  private final DoubleHistogram positive = new DoubleHistogram(DIGITS); // values >= 0
  private DoubleHistogram negative; // magnitudes of values < 0, made at the first such value
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;

  /** Counts a value; NaN and infinities are left out. */
  public void record(double v) {
    if (!Double.isFinite(v)) {
      return;
    }
    min = Math.min(min, v);
    max = Math.max(max, v);
    double magnitude = Math.abs(v) < SMALLEST ? 0 : Math.min(Math.abs(v), LARGEST);
    if (v >= 0 || magnitude == 0) {
      positive.recordValue(magnitude);
    } else {
      if (negative == null) {
        negative = new DoubleHistogram(DIGITS);
      }
      negative.recordValue(magnitude);
    }
  }

  public long count() {
    return positive.getTotalCount() + negatives();
  }

  /**
   * The nearest-rank percentile, p in [0,100]: the value of rank ceil(p/100 * count) in ascending order, within
   * the precision; NaN when nothing was recorded.
   */
  public double percentile(double p) {
    long n = count();
    if (n == 0) {
      return Double.NaN;
    }
    long rank = Math.max(1, Math.min(n, (long) Math.ceil(p / 100.0 * n)));
    long below = negatives();
    double v = rank <= below ? -valueOfRank(negative, below - rank + 1) : valueOfRank(positive, rank - below);
    return Math.max(min, Math.min(max, v));
  }

  /** The exact smallest value; NaN when nothing was recorded. */
  public double min() {
    return count() == 0 ? Double.NaN : min;
  }

  /** The exact largest value; NaN when nothing was recorded. */
  public double max() {
    return count() == 0 ? Double.NaN : max;
  }

  /** Forgets every value, keeping the buckets: recording the same range again allocates nothing. */
  public void reset() {
    positive.reset();
    if (negative != null) {
      negative.reset();
    }
    min = Double.POSITIVE_INFINITY;
    max = Double.NEGATIVE_INFINITY;
  }

  private long negatives() {
    return negative == null ? 0 : negative.getTotalCount();
  }

  /**
   * The value of the k-th smallest of h's values (1-based). HdrHistogram turns a percentile back into a rank by
   * rounding up, so asking half a rank below k lands on k whatever the rounding error of the division.
   */
  private static double valueOfRank(DoubleHistogram h, long k) {
    return h.getValueAtPercentile(100.0 * (k - 0.5) / h.getTotalCount());
  }
}
