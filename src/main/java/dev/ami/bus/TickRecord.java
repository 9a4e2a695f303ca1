package dev.ami.bus;

import java.util.Map;

/**
 * Measurements of one agent tick. Times in milliseconds.
 *
 * @param durationMs the whole tick's compute: swap, every model, sampling and act
 * @param inferenceMs the models' forward passes together
 * @param models what the tick did with each model, by model key (which version ran, whether it was swapped in)
 * @param reward the curiosity reward computed at this tick (of the previous step); NaN when none
 * @param actionProbs the policy's probabilities for the 13 entries of the five parts; null for a random policy
 * @param missed deadlines skipped so far because a tick overran a whole period
 * @param blind the tick had no frame (the source is down or stalled): no model ran, the actuators held still
 * @param place where the avatar stood in the built-in world; null elsewhere
 */
public record TickRecord(long tick, double latenessMs, double durationMs, double inferenceMs,
                         Map<String, ModelTick> models, double reward, float[] actionProbs, int action, long missed,
                         long wallMillis, boolean blind, Place place) {
  /** Sizes of the five action parts, as in {@code dev.ami.model.ActionHeads} (bus depends on no model code). */
  private static final int[] PARTS = {3, 3, 3, 2, 2};

  /** The largest policy lag over the models. */
  public long policyLag() {
    long lag = 0;
    for (ModelTick m : models.values()) {
      lag = Math.max(lag, m.policyLag());
    }
    return lag;
  }

  /** True when some model's parameters were swapped in at the start of this tick. */
  public boolean swapped() {
    for (ModelTick m : models.values()) {
      if (m.swapped()) {
        return true;
      }
    }
    return false;
  }

  /** The entropy of each action part's distribution in nats (Vertical, Horizontal, LookHorizontal, Jump, Run). */
  public double[] entropies() {
    return actionProbs == null ? null : perPart(actionProbs, true);
  }

  /** The largest probability of each action part's distribution. */
  public double[] maxProbs() {
    return actionProbs == null ? null : perPart(actionProbs, false);
  }

  /** Per-part entropy or largest probability of side-by-side probabilities. */
  public static double[] perPart(float[] probs, boolean entropy) {
    double[] out = new double[PARTS.length];
    int at = 0;
    for (int h = 0; h < PARTS.length; h++) {
      double v = 0;
      for (int i = 0; i < PARTS[h]; i++) {
        double p = probs[at + i];
        if (entropy) {
          v -= p > 0 ? p * Math.log(p) : 0;
        } else {
          v = Math.max(v, p);
        }
      }
      out[h] = v;
      at += PARTS[h];
    }
    return out;
  }
}
