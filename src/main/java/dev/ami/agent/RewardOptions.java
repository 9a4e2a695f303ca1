package dev.ami.agent;

import dev.ami.config.AmiConfig;

/** The curiosity reward's affine map: {@code r = scale · NLL + shift} ({@code reward.*}). */
public record RewardOptions(double scale, double shift) {
  public static RewardOptions from(AmiConfig c) {
    return new RewardOptions(c.getDouble("reward.scale"), c.getDouble("reward.shift"));
  }

  public double apply(double nll) {
    return scale * nll + shift;
  }
}
