package dev.ami.app;

import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.RunOptions;
import dev.ami.kind.MemoryEstimator;
import dev.ami.memory.MemoryBudget;
import dev.ami.memory.ModelMemory;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.ConfigOptions;
import dev.ami.runtime.ExitCodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Shows what the configured models will take: parameters and the memory estimate by consumer. */
@Command(name = "models", mixinStandardHelpOptions = true,
    description = "Show each configured model's parameters and memory estimate (params, optimizer, gradients, "
        + "copies, activations at the batch, buffer) against the memory budget.")
final class ModelsCommand implements Callable<Integer> {
  @Option(names = "--json", description = "print a JSON array: one object per model with params and estimate_mb")
  boolean json;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() throws Exception {
    Vertx vertx = AmiRuntime.newVertx();
    try {
      AmiConfig config = options.loadOrReport(vertx, List.of());
      if (config == null) {
        return ExitCodes.CONFIG;
      }
      AmiRuntime.configureEngine(config);
      List<ModelMemory> models = MemoryEstimator.estimate(config);
      if (json) {
        JsonArray out = new JsonArray();
        models.forEach(m -> out.add(m.toJson()));
        System.out.println(out.encode());
      } else {
        System.out.print(table(config, models));
      }
      try {
        MemoryBudget.verify(config, models);
        return 0;
      } catch (ConfigException e) {
        System.err.println("ami: " + e.getMessage());
        return ExitCodes.CONFIG;
      }
    } finally {
      vertx.close();
    }
  }

  static String table(AmiConfig config, List<ModelMemory> models) {
    StringBuilder b = new StringBuilder(String.format("%-7s %12s %9s %9s %9s %9s %9s %9s %10s%n", "model", "params",
        "params", "optimizer", "gradients", "copies", "activ.", "buffer", "total MiB"));
    for (ModelMemory m : models) {
      b.append(String.format("%-7s %12d %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %10.1f%n", m.model(), m.params(),
          m.paramsMb(), m.optimizerMb(), m.gradientsMb(), m.copiesMb(), m.activationsMb(), m.bufferMb(),
          m.estimateMb()));
    }
    b.append(String.format("process: %.0f MiB base + models + %.0f MiB heap headroom = %.0f MiB, budget %.0f MiB "
        + "(%s)%n", MemoryBudget.BASE_MB, MemoryBudget.heapHeadroomMb(models), MemoryBudget.totalMb(models),
        MemoryBudget.budgetMb(config), RunOptions.from(config).preset()));
    return b.toString();
  }
}
