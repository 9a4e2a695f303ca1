package dev.ami.bus;

import java.util.Map;

/**
 * One step of the agent's life, sent once it is complete: for the curiosity agent that is at the next tick,
 * when the step's reward is known. Arrays are never written after sending, so local delivery passes them
 * by reference and every buffer can share them.
 *
 * @param frame the observation as uint8 RGB, channel-major (3 × side × side): 4× smaller than float32
 * @param action the index chosen in each of the five action parts
 * @param logp the log-probability of each part's choice under the policy that acted; null for a random policy
 * @param value the value estimate at acting time; NaN without a value head
 * @param reward the curiosity reward of this step; NaN when the agent has none
 * @param hidden the forward model's hidden state going into this step (real parts, then imaginary); null
 *     when the agent has no forward model
 * @param stale the capture repeated the previous tick's frame: this frame is no new observation
 * @param chainStart the first step after a start, a pause or a blind tick: no training window may reach
 *     back across it
 * @param versions the snapshot version of each model that produced this step, by model key
 */
public record StepRecord(long tick, byte[] frame, int side, int[] action, float[] logp, float value, float reward,
                         float[] hidden, boolean stale, boolean chainStart, Map<String, Long> versions,
                         long wallMillis) {
}
