package dev.ami.bus;

/**
 * The model keys: each names a model's snapshots in the params map, its trainer, its telemetry and its
 * config section.
 */
public final class ModelKeys {
  /** The curiosity agent's observation encoder (groups {@code encoder}, {@code decoder}). */
  public static final String VAE = "vae";
  /**
   * Its forward dynamics (group {@code model}) and, with the VAE's latents, the encoder the forward model was
   * trained against (group {@link #FD_ENCODER}), so that the agent's reward is computed in one latent space.
   */
  public static final String FD = "fd";
  /** The forward model's snapshot group holding its encoder. */
  public static final String FD_ENCODER = "encoder";
  /**
   * Its PPO policy and value network (group {@code model}, {@code reward_norm}: the reward normaliser, and
   * {@code entropy_coef}: the entropy bonus's weights).
   */
  public static final String POLICY = "policy";
  /** The step-1 conv autoencoder (groups {@code encoder}, {@code decoder}). */
  public static final String AE = "ae";

  private ModelKeys() {
  }
}
