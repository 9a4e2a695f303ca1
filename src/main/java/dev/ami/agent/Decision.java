package dev.ami.agent;

import dev.ami.bus.StepRecord;
import dev.ami.env.Action;

/**
 * What one tick's models decided.
 *
 * @param completed the step this tick completed (for the curiosity agent the previous one, now that its reward is
 *     known), or null
 * @param reward the reward computed this tick, NaN when none
 * @param actionProbs the policy's 13 probabilities, or null for a random policy
 * @param predictedLatent the forward model's prediction of the next latent, or null
 * @param computeMs each model's forward time, in {@link Brain#followers()} order
 */
public record Decision(Action action, StepRecord completed, double reward, float[] actionProbs,
                       float[] predictedLatent, double[] computeMs) {
}
