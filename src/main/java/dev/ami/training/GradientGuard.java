package dev.ami.training;

import java.util.Arrays;

/**
 * Tells a gradient that cannot be a real one. libtorch 2.7.1 on this CPU now and then returns garbage gradients
 * from a finite loss when its allocator hands out dirty memory: usually NaN (skipped as non-finite), but sometimes
 * finite and absurd (a global norm of 1e13 beside a median of 3, seen in the forward model's first minute). Applied,
 * such a step moves the weights in a random direction and leaves Adam's second moment so large that the affected
 * parameters barely move for tens of thousands of steps. A norm more than {@code factor} times the median of the
 * last {@link #WINDOW} accepted ones is refused; nothing is refused before {@link #WARM_UP} norms were seen.
 */
final class GradientGuard {
  static final int WINDOW = 256;
  static final int WARM_UP = 32;

  private final double factor;
  private final double[] recent = new double[WINDOW];
  private final double[] sorted = new double[WINDOW];
  private int count;
  private int next;

  /** Refusals in a row after which a norm is accepted anyway: garbage is a single step, a new regime persists. */
  static final int MAX_REFUSALS = 3;
  /** The median never counts as below this (a model whose gradients vanish is not refused everything). */
  static final double MEDIAN_FLOOR = 1e-12;
  private int refusedInARow;

  /** @param factor how many medians a norm may reach; 0 = refuse nothing (but non-finite norms) */
  GradientGuard(double factor) {
    this.factor = factor;
  }

  /**
   * The median the last call of {@link #accept} judged by (floored at {@link #MEDIAN_FLOOR}), the window before that
   * norm joined it; NaN during the warm-up. Trainers clip by it, so the window is sorted once a step.
   */
  private double lastMedian = Double.NaN;

  /** True when {@code norm} may be applied; an accepted norm joins the window. */
  boolean accept(double norm) {
    if (!Double.isFinite(norm)) {
      return false;
    }
    lastMedian = count >= WARM_UP ? Math.max(MEDIAN_FLOOR, median()) : Double.NaN;
    if (factor > 0 && !Double.isNaN(lastMedian) && norm > factor * lastMedian && refusedInARow < MAX_REFUSALS) {
      refusedInARow++;
      return false;
    }
    refusedInARow = 0;
    recent[next] = norm;
    next = (next + 1) % WINDOW;
    count = Math.min(WINDOW, count + 1);
    return true;
  }

  /** The median the last accepted norm was judged by; NaN while fewer than {@link #WARM_UP} norms were seen. */
  double lastMedian() {
    return lastMedian;
  }

  /** The median of the accepted norms in the window (the lower one of an even count). */
  double median() {
    System.arraycopy(recent, 0, sorted, 0, count);
    Arrays.sort(sorted, 0, count);
    return sorted[(count - 1) / 2];
  }
}
