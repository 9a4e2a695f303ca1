package dev.ami.config;


/**
 * How one model trains, from its config section ({@code vae.*}, {@code fd.*}, {@code policy.*}, {@code ae.*}).
 *
 * @param epochs passes over the data per run
 * @param buffer capacity of the model's buffer
 * @param minBuffer samples the buffer needs before the first run
 * @param minNew new samples needed since the last run began before the next one
 * @param publishEvery steps between publishes inside a run; every run's end publishes too
 * @param maxGradNorm a fixed limit on the gradients' global L2 norm; 0 = none
 * @param clipMedians an adaptive limit, in medians of the recent norms ({@code training.TrainerBase#clipToMedians}); 0 = none
 */
public record TrainerOptions(int batch, double lr, double weightDecay, int epochs, int buffer, int minBuffer,
                             int minNew, int publishEvery, double maxGradNorm, double clipMedians) {

  public TrainerOptions(int batch, double lr, double weightDecay, int epochs, int buffer, int minBuffer, int minNew,
                        int publishEvery) {
    this(batch, lr, weightDecay, epochs, buffer, minBuffer, minNew, publishEvery, 0, 0);
  }

  /** The keys every section with a buffer of its own has; the batch is the caller's (fd has none: one window). */
  static TrainerOptions from(AmiConfig c, String section, int batch) {
    return new TrainerOptions(batch, c.getDouble(section + ".lr"),
        c.getDouble(section + ".weight_decay"), c.getInt(section + ".epochs"), c.getInt(section + ".buffer"),
        c.getInt(section + ".min_buffer"), c.getInt(section + ".min_new"), c.getInt(section + ".publish_every"),
        c.getDouble(section + ".max_grad_norm"), c.getDouble(section + ".clip_medians"));
  }

  /** The same settings with another batch size. */
  public TrainerOptions withBatch(int b) {
    return new TrainerOptions(b, lr, weightDecay, epochs, buffer, minBuffer, minNew, publishEvery, maxGradNorm,
        clipMedians);
  }
}
