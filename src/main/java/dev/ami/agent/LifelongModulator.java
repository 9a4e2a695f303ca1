package dev.ami.agent;

/**
 * NGU's life-long modulator of the episodic reward: α = 1 + (e − μ)/σ of the forward model's surprise e, with a
 * running mean μ and standard deviation σ (exponential, over about a thousand ticks), used as min(max(α, 1), L).
 * Surprise above its usual level multiplies the episodic novelty by up to L; below it, the novelty stands alone.
 */
final class LifelongModulator {
  static final double RATE = 0.001;
  static final double MAX = 5;

  private double mean = Double.NaN;
  private double variance;

  /** Takes {@code e} into the running statistics and returns its modulator in [1, {@link #MAX}]. */
  double apply(double e) {
    if (Double.isNaN(mean)) {
      mean = e;
      return 1;
    }
    double d = e - mean;
    mean += RATE * d;
    variance = (1 - RATE) * (variance + RATE * d * d);
    double sigma = Math.sqrt(variance);
    double alpha = sigma > 0 ? 1 + (e - mean) / sigma : 1;
    return Math.min(Math.max(alpha, 1), MAX);
  }
}
