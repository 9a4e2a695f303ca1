package dev.ami.kind;

import dev.ami.config.AeOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.FdOptions;
import dev.ami.config.PolicyOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.VaeOptions;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ModelSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.VaeSpec;

/** The models' specs from the config's options records: {@code model} knows no config. */
public final class Specs {
  private Specs() {
  }

  public static VaeSpec vae(AmiConfig c) {
    VaeOptions v = VaeOptions.from(c);
    return new VaeSpec(RunOptions.from(c).inputSize(), v.channels(), v.latent(), v.decoderChannels());
  }

  /** The forward model predicts the VAE's latent, so its size comes from {@code vae.latent}. */
  public static DynamicsSpec dynamics(AmiConfig c) {
    FdOptions f = FdOptions.from(c);
    return new DynamicsSpec(VaeOptions.from(c).latent(), f.depth(), f.width(), f.ffn(), f.dropout(), f.actionEmbed(),
        f.kind());
  }

  public static PolicySpec policy(AmiConfig c) {
    PolicyOptions p = PolicyOptions.from(c);
    return new PolicySpec(RunOptions.from(c).inputSize(), p.channels(), p.hidden());
  }

  /** The step-1 conv autoencoder's ({@code ae.*}). */
  public static ModelSpec autoencoder(AmiConfig c) {
    AeOptions a = AeOptions.from(c);
    return new ModelSpec(RunOptions.from(c).inputSize(), a.channels(), a.latent());
  }
}
