package dev.ami.training.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.ami.model.ActionHeads;
import dev.ami.model.PolicyValue;

/**
 * PPO's clipped objective with the ratio taken per action part: log-probabilities are (B, 5), the advantage
 * is broadcast over the 5 parts. The weighting (docs/models.md):
 * {@code total = policy + vfCoef · value − entCoef · entropy}, with
 * {@code policy = −mean_{B×5} min(ρ·A, clip(ρ, 1±ε)·A)},
 * {@code value = mean_B max((v − R)², (v_old + clip(v − v_old, ±ε) − R)²)} and
 * {@code entropy = mean_{B×5} H(part)}.
 */
public final class PpoLoss {
  /** The loss and its parts; every array is owned by the caller's manager. */
  public record Parts(NDArray total, NDArray policy, NDArray value, NDArray entropy, NDArray logp, NDArray ratio) {
  }

  private PpoLoss() {
  }

  /**
   * @param logits (B,13) from the policy head
   * @param actions (B,13) one-hot of the actions taken
   * @param oldLogp (B,5) log-probabilities of those actions under the policy that acted
   * @param advantages (B) normalised advantages
   * @param values (B) current value estimates; oldValues (B) those at acting time; returns (B)
   */
  public static Parts compute(NDArray logits, NDArray actions, NDArray oldLogp, NDArray advantages, NDArray values,
                              NDArray oldValues, NDArray returns, double clip, double vfCoef, double entCoef) {
    NDArray logAll = PolicyValue.logProbs(logits);
    NDArray logp = perPart(logAll.mul(actions));
    NDArray entropy = perPart(logAll.exp().mul(logAll)).neg().mean();
    NDArray ratio = logp.sub(oldLogp).exp();
    NDArray adv = advantages.expandDims(1);
    float c = (float) clip; // floats throughout: a double scalar would turn 0-d results into float64
    NDArray surrogate = ratio.mul(adv).minimum(ratio.clip(1 - c, 1 + c).mul(adv));
    NDArray policy = surrogate.mean().neg();
    NDArray clipped = oldValues.add(values.sub(oldValues).clip(-c, c));
    NDArray value = values.sub(returns).square().maximum(clipped.sub(returns).square()).mean();
    NDArray total = policy.add(value.mul((float) vfCoef)).sub(entropy.mul((float) entCoef));
    return new Parts(total, policy, value, entropy, logp, ratio);
  }

  /** Sums each part's entries: (B,13) → (B,5). */
  static NDArray perPart(NDArray sideBySide) {
    NDList parts = new NDList();
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      int from = ActionHeads.offset(h);
      parts.add(sideBySide.get(":, " + from + ":" + (from + ActionHeads.SIZES[h])).sum(new int[] {1}));
    }
    return NDArrays.stack(parts, 1);
  }
}
