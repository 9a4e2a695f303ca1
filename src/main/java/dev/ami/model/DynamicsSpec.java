package dev.ami.model;

import dev.ami.config.AmiConfig;

/**
 * Sizes of the SConv forward-dynamics model: the latent it predicts, {@code depth} SConv blocks of width
 * {@code width} with a feed-forward of {@code ffn}, dropout, and {@code actionEmbed} dims per action part.
 */
public record DynamicsSpec(int latent, int depth, int width, int ffn, double dropout, int actionEmbed) {
  /** The forward model predicts the VAE's latent, so its size comes from {@code vae.latent}. */
  public static DynamicsSpec from(AmiConfig c) {
    return new DynamicsSpec(c.getInt("vae.latent"), c.getInt("fd.depth"), c.getInt("fd.width"), c.getInt("fd.ffn"),
        c.getDouble("fd.dropout"), c.getInt("fd.action_embed"));
  }

  /** Floats in one hidden state, real and imaginary parts together: depth × width × 2. */
  public int hiddenSize() {
    return 2 * depth * width;
  }
}
