package dev.ami.training.loss;

import dev.ami.model.ActionHeads;

/**
 * The entropy bonus's weight, one per action part. Fixed at {@code policy.ent_coef} by default; with a target
 * ({@code policy.target_entropy} &gt; 0, a fraction of each part's largest entropy ln n) each weight adapts after
 * every minibatch, as SAC adapts its temperature: {@code log w += rate · (target − H) / ln n}, the shortfall
 * measured as a share of the part's range so that a two-way and a three-way part move alike, and w kept within
 * [{@code policy.ent_coef}, {@link #MAX}]: the target only adds to the configured bonus, where a part's entropy
 * has fallen below it. (A first version let the weights fall to 1e-5 above the target; a part that then fell
 * took its weight minutes to climb back, docs/exploration.md.) A fixed weight either lets a policy that is paid the
 * same everywhere drift to one way of moving (0.001) or outweighs the curiosity reward (0.01); a target holds the
 * entropy itself and lets the reward choose among what stays.
 */
public final class EntropyTarget {
  /** The largest weight a part's bonus may reach (unless {@code policy.ent_coef} is larger). */
  public static final double MAX = 0.1;
  /** The smallest floor: a log-weight needs a weight above 0. */
  static final double LEAST = 1e-6;

  private final double fraction;
  private final double rate;
  private final double lowest; // log of the floor, policy.ent_coef
  private final double highest;
  private final double[] logWeight = new double[ActionHeads.COUNT];
  private final float[] weights = new float[ActionHeads.COUNT];

  /**
   * @param fraction the target as a share of each part's largest entropy; 0 keeps every weight at {@code initial}
   * @param rate the log-weight's step per minibatch per unit of shortfall
   * @param initial the weight every part starts from and never goes below ({@code policy.ent_coef})
   */
  public EntropyTarget(double fraction, double rate, double initial) {
    if (!(fraction >= 0 && fraction < 1) || !(rate >= 0) || !(initial >= 0)) {
      throw new IllegalArgumentException("target " + fraction + ", rate " + rate + ", weight " + initial);
    }
    this.fraction = fraction;
    this.rate = rate;
    this.lowest = Math.log(Math.max(LEAST, initial)); // finite: a snapshot must hold no NaN
    this.highest = Math.max(lowest, Math.log(MAX));
    for (int h = 0; h < logWeight.length; h++) {
      logWeight[h] = lowest;
      weights[h] = (float) initial;
    }
    if (fraction > 0) {
      refresh();
    }
  }

  /** Whether the weights adapt; when not, every part's weight is {@code policy.ent_coef}. */
  public boolean adaptive() {
    return fraction > 0;
  }

  /** Part h's target in nats. */
  public double target(int h) {
    return fraction * Math.log(ActionHeads.SIZES[h]);
  }

  /** Moves each weight by one minibatch's measured entropy per part (nats); non-finite figures are ignored. */
  public void observe(float[] entropyPerPart) {
    observe(entropyPerPart, 0);
  }

  /** The same with the parts' entropies at {@code from} in {@code figures} (a step's diagnostics, read as is). */
  public void observe(float[] figures, int from) {
    if (!adaptive()) {
      return;
    }
    for (int h = 0; h < logWeight.length; h++) {
      double e = figures[from + h];
      if (Double.isFinite(e)) {
        double shortfall = (target(h) - e) / Math.log(ActionHeads.SIZES[h]);
        logWeight[h] = Math.min(highest, Math.max(lowest, logWeight[h] + rate * shortfall));
      }
    }
    refresh();
  }

  /** The weights in use, one per part (the array is this object's: read, don't keep). */
  public float[] weights() {
    return weights;
  }

  /** The weights' mean over the parts. */
  public double meanWeight() {
    double s = 0;
    for (float w : weights) {
      s += w;
    }
    return s / weights.length;
  }

  /** The adaptive state (each part's log-weight) for snapshots and checkpoints. */
  public double[] state() {
    return logWeight.clone();
  }

  /** Takes a saved state up (a fixed weight ignores it); a state of the wrong size or not finite is refused. */
  public void restore(double[] saved) {
    if (!adaptive()) {
      return;
    }
    if (saved.length != logWeight.length) {
      throw new IllegalArgumentException("entropy weights: " + saved.length + " numbers, expected "
          + logWeight.length);
    }
    for (double v : saved) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException("entropy weights: not finite");
      }
    }
    for (int h = 0; h < saved.length; h++) {
      logWeight[h] = Math.min(highest, Math.max(lowest, saved[h]));
    }
    refresh();
  }

  private void refresh() {
    for (int h = 0; h < weights.length; h++) {
      weights[h] = (float) Math.exp(logWeight[h]);
    }
  }
}
