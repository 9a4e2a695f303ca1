package dev.ami.config;

/**
 * The training loop ({@code trainer.*}): the slice each model trains before the next, how many bad losses in a row
 * roll a model back, the trainers' seed, and how the loop is restarted after a crash.
 */
public record TrainingOptions(int sliceMs, int maxBadLosses, long seed, RestartOptions restart) {
  public static TrainingOptions from(AmiConfig c) {
    return new TrainingOptions(c.getInt("trainer.slice_ms"), c.getInt("trainer.max_bad_losses"),
        c.getLong("trainer.seed"), RestartOptions.from(c, "trainer"));
  }
}
