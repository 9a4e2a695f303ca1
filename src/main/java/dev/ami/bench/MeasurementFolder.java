package dev.ami.bench;

import dev.ami.bus.Addresses;
import dev.ami.config.AmiConfig;
import dev.ami.config.CheckpointOptions;
import dev.ami.config.SystemOptions;
import dev.ami.runs.RunConfigFile;
import dev.ami.runs.RunFolder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Instant;

/**
 * A measurement ({@code bench}, {@code bench-explore}, {@code soak}) writes no run folder and takes no periodic
 * checkpoints, so its figures stay comparable, unless asked: a {@code checkpoint.interval} on its command line
 * gives it a run folder named after the command, for the checkpoints it then measures.
 */
final class MeasurementFolder {
  private MeasurementFolder() {
  }

  /** The folder when the config asks for checkpoints (made, its config.yaml written, shared), else null. */
  static RunFolder ifAsked(Vertx vertx, AmiConfig config, String command) throws IOException {
    if (CheckpointOptions.from(config).intervalS() <= 0) {
      return null;
    }
    RunFolder run = RunFolder.create(SystemOptions.from(config).runsDir(), command, Instant.now());
    RunConfigFile.write(run, config);
    vertx.sharedData().getLocalMap(Addresses.APP_MAP).put(Addresses.RUN_FOLDER_KEY, run);
    return run;
  }
}
