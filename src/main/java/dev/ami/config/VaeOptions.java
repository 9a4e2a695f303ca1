package dev.ami.config;

/** The VAE's sizes and its training ({@code vae.*}). */
public record VaeOptions(int channels, int latent, int decoderChannels, double klWeight, TrainerOptions train) {
  public static VaeOptions from(AmiConfig c) {
    return new VaeOptions(c.getInt("vae.channels"), c.getInt("vae.latent"), c.getInt("vae.decoder_channels"),
        c.getDouble("vae.kl_weight"), TrainerOptions.from(c, "vae", c.getInt("vae.batch")));
  }
}
