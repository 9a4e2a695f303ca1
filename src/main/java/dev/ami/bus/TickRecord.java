package dev.ami.bus;

import java.util.Map;

/**
 * Measurements of one agent tick. Times in milliseconds.
 *
 * @param durationMs the whole tick's compute: swap, every model, sampling and act
 * @param inferenceMs the models' forward passes together
 * @param models what the tick did with each model, by model key
 * @param reward the curiosity reward computed at this tick (of the previous step); NaN when none
 * @param actionProbs the policy's probabilities for the 13 entries of the five parts; null for a random policy
 * @param missed deadlines skipped so far because a tick overran a whole period
 * @param blind the tick had no frame (the source is down or stalled): no model ran, the actuators held still
 */
public record TickRecord(long tick, double latenessMs, double durationMs, double inferenceMs,
                         Map<String, ModelTick> models, double reward, float[] actionProbs, int action, long missed,
                         long wallMillis, boolean blind) {
  /** The largest policy lag over the models. */
  public long policyLag() {
    long lag = 0;
    for (ModelTick m : models.values()) {
      lag = Math.max(lag, m.policyLag());
    }
    return lag;
  }
}
