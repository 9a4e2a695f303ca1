package dev.ami.config;


/** The {@code checkpoint.*} keys (docs/configuration.md); where checkpoints go is the run folder's {@code states/}. */
public record CheckpointOptions(long intervalS, int keep, boolean buffers, boolean onShutdown, int shutdownTimeoutS) {
  public static CheckpointOptions from(AmiConfig c) {
    return new CheckpointOptions(c.getLong("checkpoint.interval"), c.getInt("checkpoint.keep"),
        c.getBool("checkpoint.buffers"), c.getBool("checkpoint.on_shutdown"), c.getInt("checkpoint.shutdown_timeout_s"));
  }
}
