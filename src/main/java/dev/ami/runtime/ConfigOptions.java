package dev.ami.runtime;

import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.ConfigLoader;
import dev.ami.kind.MemoryEstimator;
import dev.ami.memory.MemoryBudget;
import dev.ami.memory.ModelMemory;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options every command that starts the runtime shares: a config file and key=value overrides. */
public final class ConfigOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML config (default: conf/ami.yaml if present)")
  Path file;

  @Parameters(paramLabel = "key.path=value", description = "overrides, e.g. agent.hz=20 vae.latent=256")
  List<String> overrides = new ArrayList<>();

  private static final Logger LOG = LoggerFactory.getLogger(ConfigOptions.class);

  /** The command line's {@code key.path=value} words, as given. */
  public List<String> overrides() {
    return List.copyOf(overrides);
  }

  /**
   * Loads and validates; on a bad configuration prints one line for the user, closes {@code vertx} and
   * returns null (the command then exits with {@link ExitCodes#CONFIG}).
   */
  public AmiConfig loadOrReport(Vertx vertx, List<String> extraOverrides) throws InterruptedException {
    try {
      return load(vertx, extraOverrides);
    } catch (ConfigException e) {
      System.err.println("ami: configuration error: " + e.getMessage());
      vertx.close();
      return null;
    }
  }

  /**
   * As {@link #loadOrReport}, for a command that starts the runtime: also sets up the engine, logs each
   * model's memory estimate and refuses a configuration over the memory budget (the same way: null).
   */
  public AmiConfig loadForRuntime(Vertx vertx, List<String> extraOverrides) throws InterruptedException {
    AmiConfig config = loadOrReport(vertx, extraOverrides);
    if (config == null) {
      return null;
    }
    AmiRuntime.configureEngine(config);
    List<ModelMemory> models = MemoryEstimator.estimate(config);
    models.forEach(m -> LOG.info("memory estimate {}: {} parameters, {} MiB ({})", m.model(), m.params(),
        Math.round(m.estimateMb()), m.toJson().getJsonObject("parts").encode()));
    try {
      MemoryBudget.verify(config, models);
      return config;
    } catch (ConfigException e) {
      System.err.println("ami: configuration error: " + e.getMessage());
      vertx.close();
      return null;
    }
  }

  /** Loads and validates; a {@link ConfigException} carries the message for the user. */
  public AmiConfig load(Vertx vertx, List<String> extraOverrides) throws InterruptedException {
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
