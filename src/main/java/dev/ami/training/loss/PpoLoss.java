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
 * {@code value = mean_B (v − R)²}, or with a value clip ε_v {@code mean_B max((v − R)², (v_old + clip(v − v_old, ±ε_v) − R)²)},
 * and {@code entropy = mean_{B×5} H(part)}. With a weight per part ({@link EntropyTarget}) the bonus is
 * {@code mean_5(w_part · mean_B H(part))}, the same when every weight is entCoef.
 */
public final class PpoLoss {
  /** What the diagnostics vector holds, in order (see {@link Parts#diagnostics()}). */
  public static final int VALUE_MEAN = 0;
  public static final int RETURN_MEAN = 1;
  public static final int CLIP_FRAC = 2;
  public static final int APPROX_KL = 3;
  public static final int POLICY = 4;
  public static final int VALUE = 5;
  /** Entropy of part h (nats) is at {@code ENTROPY + h}. */
  public static final int ENTROPY = 6;
  public static final int DIAGNOSTICS = ENTROPY + ActionHeads.COUNT;

  /**
   * The loss and its parts; every array is owned by the caller's manager.
   *
   * @param entropyPerPart (5) the mean entropy of each action part over the batch
   * @param diagnostics ({@link #DIAGNOSTICS}) figures to read back once per step: mean value, mean return, clip
   *     fraction, approximate KL, the policy and value losses and each part's entropy
   */
  public record Parts(NDArray total, NDArray policy, NDArray value, NDArray entropy, NDArray logp, NDArray ratio,
                      NDArray entropyPerPart, NDArray clipFraction, NDArray approxKl, NDArray diagnostics) {
  }

  private PpoLoss() {
  }

  /**
   * @param logits (B,13) from the policy head
   * @param actions (B,13) one-hot of the actions taken
   * @param oldLogp (B,5) log-probabilities of those actions under the policy that acted
   * @param advantages (B) normalised advantages
   * @param values (B) current value estimates; oldValues (B) those at acting time; returns (B)
   * @param valueClip the value clip range ε_v; 0 = an unclipped squared error
   */
  public static Parts compute(NDArray logits, NDArray actions, NDArray oldLogp, NDArray advantages, NDArray values,
                              NDArray oldValues, NDArray returns, double clip, double valueClip, double vfCoef,
                              double entCoef) {
    return compute(logits, actions, oldLogp, advantages, values, oldValues, returns, clip, valueClip, vfCoef, entCoef,
        null);
  }

  /**
   * The same with the entropy bonus weighted per action part ({@code partWeights}, 5 numbers), or by
   * {@code entCoef} when {@code partWeights} is null.
   */
  public static Parts compute(NDArray logits, NDArray actions, NDArray oldLogp, NDArray advantages, NDArray values,
                              NDArray oldValues, NDArray returns, double clip, double valueClip, double vfCoef,
                              double entCoef, float[] partWeights) {
    NDArray logAll = PolicyValue.logProbs(logits);
    NDArray logp = perPart(logAll.mul(actions));
    NDArray entropyPerPart = perPart(logAll.exp().mul(logAll)).neg().mean(new int[] {0});
    NDArray entropy = entropyPerPart.mean();
    NDArray logRatio = logp.sub(oldLogp);
    NDArray ratio = logRatio.exp();
    NDArray adv = advantages.expandDims(1);
    float c = (float) clip; // floats throughout: a double scalar would turn 0-d results into float64
    NDArray surrogate = ratio.mul(adv).minimum(ratio.clip(1 - c, 1 + c).mul(adv));
    NDArray policy = surrogate.mean().neg();
    NDArray squared = values.sub(returns).square();
    if (valueClip > 0) {
      float cv = (float) valueClip;
      NDArray clipped = oldValues.add(values.sub(oldValues).clip(-cv, cv));
      squared = squared.maximum(clipped.sub(returns).square());
    }
    NDArray value = squared.mean();
    NDArray bonus = partWeights == null ? entropy.mul((float) entCoef)
        : entropyPerPart.mul(logits.getManager().create(partWeights)).mean();
    NDArray total = policy.add(value.mul((float) vfCoef)).sub(bonus);
    // diagnostics: no gradient is taken through them, they only ride along to be read back in one copy
    NDArray clipFraction = ratio.sub(1f).abs().gt(c).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).mean();
    NDArray approxKl = ratio.sub(1f).sub(logRatio).mean(); // the k3 estimator of KL(old || new), never negative
    NDArray diagnostics = NDArrays.concat(new NDList(values.mean().reshape(1), returns.mean().reshape(1),
        clipFraction.reshape(1), approxKl.reshape(1), policy.reshape(1), value.reshape(1), entropyPerPart));
    return new Parts(total, policy, value, entropy, logp, ratio, entropyPerPart, clipFraction, approxKl, diagnostics);
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
