package dev.ami.kind;

import dev.ami.config.AmiConfig;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ModelSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.VaeSpec;

/** The models' specs as the config sets them: the one place that reads their keys ({@code model} reads none). */
public final class Specs {
  private Specs() {
  }

  public static VaeSpec vae(AmiConfig c) {
    return new VaeSpec(c.getInt("model.input_size"), c.getInt("vae.channels"), c.getInt("vae.latent"),
        c.getInt("vae.decoder_channels"));
  }

  /** The forward model predicts the VAE's latent, so its size comes from {@code vae.latent}. */
  public static DynamicsSpec dynamics(AmiConfig c) {
    return new DynamicsSpec(c.getInt("vae.latent"), c.getInt("fd.depth"), c.getInt("fd.width"), c.getInt("fd.ffn"),
        c.getDouble("fd.dropout"), c.getInt("fd.action_embed"), c.getString("fd.kind"));
  }

  public static PolicySpec policy(AmiConfig c) {
    return new PolicySpec(c.getInt("model.input_size"), c.getInt("policy.channels"), c.getInt("policy.hidden"));
  }

  /** The step-1 conv autoencoder's ({@code ae.*}). */
  public static ModelSpec autoencoder(AmiConfig c) {
    return new ModelSpec(c.getInt("model.input_size"), c.getInt("ae.channels"), c.getInt("ae.latent"));
  }
}
