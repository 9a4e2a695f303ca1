package dev.ami.app;

import dev.ami.checkpoint.CheckpointException;
import dev.ami.checkpoint.CheckpointReader;
import dev.ami.checkpoint.ExportProbe;
import dev.ami.checkpoint.ModelShapes;
import dev.ami.checkpoint.Resume;
import dev.ami.checkpoint.Scope;
import dev.ami.checkpoint.WeightExport;
import dev.ami.config.AmiConfig;
import dev.ami.config.SystemOptions;
import dev.ami.params.ParamSnapshot;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.ConfigOptions;
import dev.ami.runtime.ExitCodes;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Writes a checkpoint's models as safetensors with a models.json beside them, and one forward pass of each
 * ({@link ExportProbe}) that a reader in Python can check its copy against (docs/running-for-days.md).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Write a checkpoint's models as <model>.safetensors, a forward pass of each as"
        + " <model>.probe.safetensors, and models.json.")
final class ExportCommand implements Callable<Integer> {
  @Option(names = "--resume", required = true, paramLabel = "latest|PATH",
      description = "the checkpoint: the newest valid one of the training runs under system.runs_dir, the newest of"
          + " the run folder PATH, or the checkpoint at PATH")
  String resume;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "where the files go (made if missing)")
  Path out;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      AmiConfig config = options.loadOrReport(vertx, List.of());
      if (config == null) {
        return ExitCodes.CONFIG;
      }
      AmiRuntime.configureEngine(config);
      var scratch = vertx.sharedData().<String, ParamSnapshot>getLocalMap("ami.export.probe");
      CheckpointReader.Checked checked;
      try {
        checked = CheckpointReader.first(Resume.candidates(config, resume),
            "latest".equals(resume) ? SystemOptions.from(config).runsDir() : Path.of(resume),
            ModelShapes.of(config), Scope.WEIGHTS).chosen(); // any part with every model
      } catch (CheckpointException e) {
        System.err.println("ami: " + e.getMessage());
        return ExitCodes.CONFIG;
      }
      CheckpointReader.Loaded loaded = CheckpointReader.load(checked, null, Scope.WEIGHTS);
      try {
        Map<String, List<WeightExport.Tensor>> written = WeightExport.write(loaded.snapshots(), config, out, scratch);
        written.forEach((key, tensors) -> System.err.printf("%s: %d tensors -> %s%n", key, tensors.size(),
            out.resolve(key + ".safetensors")));
        ExportProbe.write(loaded.snapshots(), config, out).forEach(f -> System.err.println("probe -> " + f));
        System.err.println("from " + checked.dir() + "; models.json in " + out);
        return 0;
      } finally {
        loaded.snapshots().values().forEach(ParamSnapshot::release);
        if (loaded.trainer() != null) {
          loaded.trainer().close();
        }
      }
    } finally {
      vertx.close();
    }
  }
}
