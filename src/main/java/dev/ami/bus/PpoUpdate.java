package dev.ami.bus;

/**
 * What one PPO update (the epochs over one rollout) did, as means over its minibatch steps: the figures that show
 * whether the policy is learning or collapsing (docs/models.md, "Watching PPO").
 *
 * @param update the update's number since the trainer started
 * @param version the policy version published at the update's end
 * @param steps minibatch steps with a finite loss; {@code skipped} those without
 * @param loss the total loss; {@code policyLoss} and {@code valueLoss} its parts (value before its coefficient)
 * @param valueMean the value head's mean over the minibatches; {@code returnMean} the mean of its targets
 * @param advStdRaw the standard deviation of the rollout's advantages before any normalisation
 * @param gradNorm the global L2 norm of the gradients before clipping
 * @param clipFrac the share of ratios outside 1 ± clip
 * @param approxKl the mean of ρ − 1 − log ρ (an estimate of KL(old ‖ new), never negative)
 * @param entropy each action part's entropy in nats (Vertical, Horizontal, LookHorizontal, Jump, Run)
 * @param entCoef the entropy bonus's weight, the mean over the parts and the update's steps (it moves only with
 *     {@code policy.target_entropy})
 * @param rewardMean the rollout's raw (unnormalised) curiosity reward, mean; {@code rewardMax} its largest
 * @param rewardScale what each reward was divided by (the running std of the discounted return; 1 when off)
 * @param rewardsClipped rewards cut at the clip after scaling
 * @param gaps steps of the rollout whose successor was missing (a pause, a dropped or stale step)
 */
public record PpoUpdate(long update, long version, int steps, int skipped, double loss, double policyLoss,
                        double valueLoss, double valueMean, double returnMean, double advStdRaw, double gradNorm,
                        double clipFrac, double approxKl, float[] entropy, double entCoef, double rewardMean, double rewardMax,
                        double rewardScale, int rewardsClipped, int gaps, long wallMillis) {
  /**
   * Its figures by snake_case name, in the bench JSON's order (docs/exploration.md): what the bench averages per
   * minute and the meters show as {@code ami.ppo.<name>}.
   */
  public static java.util.Map<String, java.util.function.ToDoubleFunction<PpoUpdate>> figures() {
    java.util.Map<String, java.util.function.ToDoubleFunction<PpoUpdate>> m = new java.util.LinkedHashMap<>();
    m.put("loss", PpoUpdate::loss);
    m.put("value_loss", PpoUpdate::valueLoss);
    m.put("value_mean", PpoUpdate::valueMean);
    m.put("return_mean", PpoUpdate::returnMean);
    m.put("adv_std_raw", PpoUpdate::advStdRaw);
    m.put("grad_norm", PpoUpdate::gradNorm);
    m.put("clip_frac", PpoUpdate::clipFrac);
    m.put("approx_kl", PpoUpdate::approxKl);
    m.put("policy_loss", PpoUpdate::policyLoss);
    m.put("reward_scale", PpoUpdate::rewardScale);
    m.put("rewards_clipped", u -> u.rewardsClipped());
    m.put("ent_coef", PpoUpdate::entCoef);
    return m;
  }

  /** The same update, stamped with the version its end published. */
  public PpoUpdate withVersion(long v) {
    return new PpoUpdate(update, v, steps, skipped, loss, policyLoss, valueLoss, valueMean, returnMean, advStdRaw,
        gradNorm, clipFrac, approxKl, entropy, entCoef, rewardMean, rewardMax, rewardScale, rewardsClipped, gaps,
        wallMillis);
  }
}
