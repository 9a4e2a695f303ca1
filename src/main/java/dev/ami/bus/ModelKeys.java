package dev.ami.bus;

/**
 * The model keys: each names a model's snapshots in the params map, its trainer, its telemetry and its
 * config section.
 */
public final class ModelKeys {
  /** The curiosity agent's observation encoder (groups {@code encoder}, {@code decoder}). */
  public static final String VAE = "vae";
  /** Its SConv forward dynamics (group {@code model}). */
  public static final String FD = "fd";
  /** Its PPO policy and value network (group {@code model}). */
  public static final String POLICY = "policy";
  /** The step-1 conv autoencoder (groups {@code encoder}, {@code decoder}). */
  public static final String AE = "ae";

  private ModelKeys() {
  }
}
