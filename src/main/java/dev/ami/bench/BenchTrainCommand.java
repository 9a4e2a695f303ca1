package dev.ami.bench;

import dev.ami.agent.Brain;
import dev.ami.agent.Decision;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.config.RunOptions;
import dev.ami.config.SystemOptions;
import dev.ami.env.Frame;
import dev.ami.params.ParamSnapshot;
import dev.ami.runtime.ConfigOptions;
import dev.ami.runtime.ExitCodes;
import dev.ami.system.OmpTuning;
import dev.ami.system.ThreadTuning;
import dev.ami.telemetry.ProcessMemory;
import dev.ami.telemetry.Samples;
import dev.ami.training.ModelTrainer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Training speed of one model alone, the way the trainer runs it: its {@link ModelTrainer} on synthetic data
 * of the runtime's shapes, then the agent's brain at batch 1. Prints one JSON object as its last line.
 *
 * <p>Must run in its own JVM: libtorch reads its thread count (system property) and libgomp its wait
 * policy (environment) once, when they load, so both are set here before the first DJL class is touched.
 * The PyTorch peers are in {@code bench/} (the same models in Python).
 */
@Command(name = "bench-train", mixinStandardHelpOptions = true,
    description = "Measure one model's training step time and its batch-1 forward as the agent runs it.")
public final class BenchTrainCommand implements Callable<Integer> {
  static final List<String> MODELS = List.of("vae", "fd", "policy", "ae", "reference");

  @Option(names = "--model", defaultValue = "vae",
      description = "vae, fd, policy (the curiosity agent's models, from the config), ae (the configured "
          + "autoencoder) or reference (the issue #5 reference autoencoder)")
  String model;

  @Option(names = "--batch", description = "minibatch (default: the model's configured batch; fd: 1 window)")
  Integer batch;

  @Option(names = "--threads", description = "libtorch intra-op threads (default: djl.threads)")
  Integer threads;

  @Option(names = "--steps", defaultValue = "100", description = "measured training steps (after warm-up)")
  int steps;

  @Option(names = "--warmup", defaultValue = "20", description = "training steps discarded first")
  int warmup;

  @Option(names = "--forwards", defaultValue = "200", description = "measured batch-1 forwards")
  int forwards;

  @Option(names = "--omp-wait", defaultValue = "auto",
      description = "auto (PASSIVE when threads > 1), passive, or default (leave libgomp's spin-wait)")
  String ompWait;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return measure(vertx);
    } finally {
      vertx.close();
    }
  }

  private int measure(Vertx vertx) throws Exception {
    AmiConfig config;
    try {
      config = options.load(vertx, "ae".equals(model) || "reference".equals(model)
          ? List.of("model.preset=autoencoder") : List.of());
    } catch (ConfigException e) {
      System.err.println("ami: configuration error: " + e.getMessage());
      return ExitCodes.CONFIG;
    }
    if (!MODELS.contains(model)) {
      System.err.println("ami: unknown --model '" + model + "' (" + String.join(", ", MODELS) + ")");
      return ExitCodes.CONFIG;
    }
    int n = batch != null ? batch : TrainWorkloads.configuredBatch(model, config);
    int t = threads != null ? threads : RunOptions.from(config).djlThreads();
    if (n < 1 || t < 1 || steps < 1 || warmup < 0 || forwards < 1) {
      System.err.println("ami: --batch, --threads, --steps and --forwards must be positive");
      return ExitCodes.CONFIG;
    }

    // Before any DJL class loads: threads (read once at engine load), OpenMP wait policy, malloc tuning.
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(t));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    String omp = switch (ompWait) {
      case "passive" -> OmpTuning.passiveWait();
      case "auto" -> t > 1 ? OmpTuning.passiveWait() : envOr("OMP_WAIT_POLICY", "default");
      default -> envOr("OMP_WAIT_POLICY", "default");
    };
    boolean malloc = SystemOptions.from(config).mallocTuning() && ThreadTuning.tuneGlibcMalloc();

    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    Samples wall = new Samples();
    Samples cpuMs = new Samples();
    Samples losses = new Samples();
    long nonFinite = 0;
    float firstLoss = Float.NaN;
    float lastLoss = Float.NaN;
    long faults0 = 0;
    long measuredNanos = 0;
    double lossFirstMeasured = Double.NaN;
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap("bench-train");
    try (ModelTrainer trainer = TrainWorkloads.trainer(model, config, n, params)) {
      trainer.beginRun();
      for (int i = 0; i < warmup + steps; i++) {
        if (!trainer.nextBatch()) { // a new pass over the same data: batches are loaded outside the timing
          trainer.endRun();
          trainer.beginRun();
          trainer.nextBatch();
        }
        if (i == warmup) {
          faults0 = minorFaults();
        }
        long c0 = cpu.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        float loss = trainer.step();
        long dt = System.nanoTime() - t0;
        if (!Float.isFinite(loss)) {
          nonFinite++;
        }
        if (i == 0) {
          firstLoss = loss;
        }
        lastLoss = loss;
        if (i >= warmup) {
          measuredNanos += dt;
          wall.add(dt / 1e6);
          cpuMs.add((cpu.getCurrentThreadCpuTime() - c0) / 1e6);
          losses.add(loss);
        }
        if (steps >= 1000 && i > warmup && (i - warmup) % 1000 == 0) {
          System.err.printf("bench-train: step %d, loss %.5f, non-finite so far %d, p50 %.1f ms%n",
              i - warmup, loss, nonFinite, wall.percentile(50));
        }
      }
      lossFirstMeasured = losses.first();
      trainer.endRun();
    }
    long faults = (minorFaults() - faults0) / steps;

    // The model at batch 1 as the agent runs it: the whole brain's decide, and this model's share of it.
    Samples forward = new Samples();
    Samples tick = new Samples();
    int index = TrainWorkloads.computeIndex(model);
    try (Brain brain = TrainWorkloads.brain(model, config, params)) {
      int side = "reference".equals(model) ? TrainWorkloads.REFERENCE.inputSize() : RunOptions.from(config).inputSize();
      float[] chw = TrainWorkloads.noise(3 * side * side, new SplittableRandom(3));
      for (int i = 0; i < forwards + forwards / 4; i++) {
        long t0 = System.nanoTime();
        Decision d = brain.decide(new Frame(chw, side, side, i, System.nanoTime()), i, false);
        long t1 = System.nanoTime();
        if (i >= forwards / 4) {
          forward.add(d.computeMs()[index]);
          tick.add((t1 - t0) / 1e6);
        }
      }
    }
    params.values().forEach(ParamSnapshot::release);

    JsonObject out = new JsonObject()
        .put("model", model)
        .put("input_size", "reference".equals(model) ? TrainWorkloads.REFERENCE.inputSize()
            : RunOptions.from(config).inputSize())
        .put("batch", n)
        .put("threads", t)
        .put("steps", steps)
        .put("step_ms_p50", round(wall.percentile(50)))
        .put("step_ms_p90", round(wall.percentile(90)))
        .put("step_cpu_ms_p50", round(cpuMs.percentile(50)))
        .put("forward_ms_p50", round(forward.percentile(50)))
        .put("brain_tick_ms_p50", round(tick.percentile(50)))
        .put("samples_per_s", round(n * steps / (measuredNanos / 1e9)))
        .put("faults_per_step", faults)
        .put("loss_first", round6(firstLoss))
        .put("loss_first_measured", round6(lossFirstMeasured))
        .put("loss_last", round6(lastLoss))
        .put("non_finite_losses", nonFinite)
        .put("omp_wait_policy", omp)
        .put("malloc_tuning", malloc)
        .put("rss_mb", round(ProcessMemory.rssMiB()))
        .put("load_1m", loadAverage());
    System.out.println(out.encode());
    return 0;
  }

  private static String envOr(String name, String fallback) {
    String v = System.getenv(name);
    return v == null ? fallback : v;
  }

  /** Minor page faults of this process so far (/proc/self/stat field 10), or 0 off Linux. */
  static long minorFaults() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[7]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static Double loadAverage() {
    return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static Double round6(double v) {
    return BenchCommand.round6(v);
  }

  private static Double round(double v) {
    return BenchCommand.round(v);
  }
}
