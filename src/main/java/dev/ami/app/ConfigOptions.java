package dev.ami.app;

import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.ConfigLoader;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that starts the runtime shares: a config file and key=value overrides. */
final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML config (default: conf/ami.yaml if present)")
  Path file;

  @Parameters(paramLabel = "key.path=value", description = "overrides, e.g. agent.hz=20 model.channels=16")
  List<String> overrides = new ArrayList<>();

  /**
   * Loads and validates; on a bad configuration prints one line for the user, closes {@code vertx} and
   * returns null (the command then exits with {@link Main#EXIT_CONFIG}).
   */
  AmiConfig loadOrReport(Vertx vertx, List<String> extraOverrides) throws InterruptedException {
    try {
      return load(vertx, extraOverrides);
    } catch (ConfigException e) {
      System.err.println("ami: configuration error: " + e.getMessage());
      vertx.close();
      return null;
    }
  }

  /** Loads and validates; a {@link ConfigException} carries the message for the user. */
  AmiConfig load(Vertx vertx, List<String> extraOverrides) throws InterruptedException {
    List<String> all = new ArrayList<>(extraOverrides);
    all.addAll(overrides);
    try {
      return new ConfigLoader(vertx).load(file, all).toCompletionStage().toCompletableFuture().get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ConfigException ce) {
        throw ce;
      }
      throw new ConfigException("could not read the configuration: " + e.getCause());
    }
  }
}
