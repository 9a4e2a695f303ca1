package dev.ami.config;

/** The step-1 conv autoencoder's sizes and its training ({@code ae.*}): one epoch a run, no weight decay. */
public record AeOptions(int channels, int latent, TrainerOptions train) {
  public static AeOptions from(AmiConfig c) {
    return new AeOptions(c.getInt("ae.channels"), c.getInt("ae.latent"), new TrainerOptions(c.getInt("ae.batch"),
        c.getDouble("ae.lr"), 0, 1, c.getInt("ae.buffer"), c.getInt("ae.min_buffer"), c.getInt("ae.min_new"),
        c.getInt("ae.publish_every")));
  }
}
