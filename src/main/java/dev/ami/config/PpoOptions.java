package dev.ami.config;


/**
 * PPO's settings ({@code policy.*} and the reward's scaling, {@code reward.normalize}, {@code reward.clip}):
 * rollout length, discount and GAE λ, the ratio's and the value's clip ranges, the value and entropy
 * coefficients (the latter fixed or adapted to a target entropy), the gradient-norm limit, how advantages are
 * normalised, and the optimizer's.
 */
public record PpoOptions(int rollout, double gamma, double lambda, double clip, double valueClip, double vfCoef,
                         double entCoef, double targetEntropy, double entCoefRate, double maxGradNorm,
                         boolean minibatchAdvantages, boolean normaliseRewards, double rewardClip, int batch,
                         int epochs, double lr, double weightDecay, int publishEvery) {
  public static PpoOptions from(AmiConfig c) {
    return new PpoOptions(c.getInt("policy.rollout"), c.getDouble("policy.gamma"), c.getDouble("policy.lambda"),
        c.getDouble("policy.clip"), c.getDouble("policy.value_clip"), c.getDouble("policy.vf_coef"),
        c.getDouble("policy.ent_coef"), c.getDouble("policy.target_entropy"), c.getDouble("policy.ent_coef_rate"),
        c.getDouble("policy.max_grad_norm"),
        c.getString("policy.adv_norm").equals("minibatch"), c.getBool("reward.normalize"),
        c.getDouble("reward.clip"), c.getInt("policy.batch"), c.getInt("policy.epochs"), c.getDouble("policy.lr"),
        c.getDouble("policy.weight_decay"), c.getInt("policy.publish_every"));
  }

  /** The same settings with another minibatch size. */
  public PpoOptions withBatch(int b) {
    return new PpoOptions(rollout, gamma, lambda, clip, valueClip, vfCoef, entCoef, targetEntropy, entCoefRate,
        maxGradNorm, minibatchAdvantages, normaliseRewards, rewardClip, b, epochs, lr, weightDecay, publishEvery);
  }
}
