package dev.ami.training;

import dev.ami.config.AmiConfig;

/**
 * PPO's settings ({@code policy.*}): rollout length, discount and GAE λ, the clip range shared by ratio and
 * value, the value and entropy coefficients, and the optimizer's.
 */
public record PpoOptions(int rollout, double gamma, double lambda, double clip, double vfCoef, double entCoef,
                         int batch, int epochs, double lr, double weightDecay, int publishEvery) {
  public static PpoOptions from(AmiConfig c) {
    return new PpoOptions(c.getInt("policy.rollout"), c.getDouble("policy.gamma"), c.getDouble("policy.lambda"),
        c.getDouble("policy.clip"), c.getDouble("policy.vf_coef"), c.getDouble("policy.ent_coef"),
        c.getInt("policy.batch"), c.getInt("policy.epochs"), c.getDouble("policy.lr"),
        c.getDouble("policy.weight_decay"), c.getInt("policy.publish_every"));
  }
}
