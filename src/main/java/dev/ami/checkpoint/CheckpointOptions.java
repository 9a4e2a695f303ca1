package dev.ami.checkpoint;

import dev.ami.config.AmiConfig;
import java.nio.file.Path;

/** The {@code checkpoint.*} keys (docs/configuration.md). */
public record CheckpointOptions(Path dir, int intervalS, int keep, boolean buffers, boolean onShutdown,
                                int shutdownTimeoutS) {
  public static CheckpointOptions from(AmiConfig c) {
    return new CheckpointOptions(Path.of(c.getString("checkpoint.dir")), c.getInt("checkpoint.interval"),
        c.getInt("checkpoint.keep"), c.getBool("checkpoint.buffers"), c.getBool("checkpoint.on_shutdown"),
        c.getInt("checkpoint.shutdown_timeout_s"));
  }
}
