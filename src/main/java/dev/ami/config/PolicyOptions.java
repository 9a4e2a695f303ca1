package dev.ami.config;

/** The policy's sizes, its buffer and its PPO ({@code policy.*}, with {@code reward.normalize} and {@code reward.clip}). */
public record PolicyOptions(int channels, int hidden, int buffer, PpoOptions ppo) {
  public static PolicyOptions from(AmiConfig c) {
    return new PolicyOptions(c.getInt("policy.channels"), c.getInt("policy.hidden"), c.getInt("policy.buffer"),
        PpoOptions.from(c));
  }
}
