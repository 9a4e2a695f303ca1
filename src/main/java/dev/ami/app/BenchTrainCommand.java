package dev.ami.app;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.ami.agent.InferenceModel;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigException;
import dev.ami.model.ModelSpec;
import dev.ami.system.OmpTuning;
import dev.ami.system.ThreadTuning;
import dev.ami.telemetry.ProcessMemory;
import dev.ami.telemetry.Samples;
import dev.ami.training.AeTrainer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
 * Training speed of one model alone, the way the trainer runs it: {@link AeTrainer#step()} on random frames,
 * then the agent's encoder ({@link InferenceModel}) at batch 1. Prints one JSON object as its last line.
 *
 * <p>Must run in its own JVM: libtorch reads its thread count (system property) and libgomp its wait
 * policy (environment) once, when they load, so both are set here before the first DJL class is touched.
 * Compare with {@code bench/torch_ae_bench.py} (same model in PyTorch).
 */
@Command(name = "bench-train", mixinStandardHelpOptions = true,
    description = "Measure training step time and batch-1 encoder inference of a model preset.")
final class BenchTrainCommand implements Callable<Integer> {
  /** The issue #5 reference: 3x64x64 input, widths 32/64/128, latent 256 (batch 32). */
  static final ModelSpec REFERENCE = new ModelSpec(64, 32, 256);

  @Option(names = "--model", defaultValue = "ae",
      description = "ae = the configured model (model.* keys), reference = the issue #5 reference autoencoder")
  String model;

  @Option(names = "--batch", description = "minibatch (default: trainer.batch; 32 for reference)")
  Integer batch;

  @Option(names = "--threads", description = "libtorch intra-op threads (default: djl.threads)")
  Integer threads;

  @Option(names = "--steps", defaultValue = "100", description = "measured training steps (after warm-up)")
  int steps;

  @Option(names = "--warmup", defaultValue = "20", description = "training steps discarded first")
  int warmup;

  @Option(names = "--forwards", defaultValue = "200", description = "measured batch-1 encoder forwards")
  int forwards;

  @Option(names = "--omp-wait", defaultValue = "auto",
      description = "auto (PASSIVE when threads > 1), passive, or default (leave libgomp's spin-wait)")
  String ompWait;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() throws Exception {
    AmiConfig config;
    Vertx vertx = Vertx.vertx();
    try {
      config = options.load(vertx, List.of());
    } catch (ConfigException e) {
      System.err.println("ami: configuration error: " + e.getMessage());
      return Main.EXIT_CONFIG;
    } finally {
      vertx.close();
    }
    ModelSpec spec;
    switch (model) {
      case "ae" -> spec = ModelSpec.from(config);
      case "reference" -> spec = REFERENCE;
      default -> {
        System.err.println("ami: unknown --model '" + model + "' (ae, reference)");
        return Main.EXIT_CONFIG;
      }
    }
    int n = batch != null ? batch : "reference".equals(model) ? 32 : config.getInt("trainer.batch");
    int t = threads != null ? threads : config.getInt("djl.threads");
    if (n < 1 || t < 1 || steps < 1 || warmup < 0 || forwards < 1) {
      System.err.println("ami: --batch, --threads, --steps and --forwards must be positive");
      return Main.EXIT_CONFIG;
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
    boolean malloc = config.getBool("system.malloc_tuning") && ThreadTuning.tuneGlibcMalloc();

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
    long seed = config.getLong("trainer.seed");
    SplittableRandom random = new SplittableRandom(seed);
    float[] pool = new float[4 * n * spec.frameSize()]; // noise frames, as the noise world produces
    for (int i = 0; i < pool.length; i++) {
      pool[i] = (float) random.nextDouble();
    }
    try (AeTrainer trainer = new AeTrainer(spec, n, config.getDouble("trainer.lr"), seed)) {
      float[] buf = trainer.batchBuffer();
      for (int i = 0; i < warmup + steps; i++) {
        System.arraycopy(pool, (i % 4) * buf.length, buf, 0, buf.length);
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
    }
    long faults = (minorFaults() - faults0) / steps;

    // The agent's encoder as the agent runs it (frame in, latent out), and the block's forward alone
    // (input already a tensor), which is what bench/torch_ae_bench.py times on the PyTorch side.
    Samples forward = new Samples();
    Samples forwardModel = new Samples();
    try (InferenceModel encoder = new InferenceModel(spec)) {
      float[] frame = new float[spec.frameSize()];
      System.arraycopy(pool, 0, frame, 0, frame.length);
      ParameterStore store = new ParameterStore(encoder.manager(), false);
      NDArray x = encoder.manager().create(frame, spec.frameShape(1));
      for (int i = 0; i < forwards + forwards / 4; i++) {
        long t0 = System.nanoTime();
        encoder.encode(frame, 0);
        long t1 = System.nanoTime();
        try (NDManager tick = encoder.manager().newSubManager()) {
          x.tempAttach(tick);
          encoder.buffer(0).forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
        }
        long t2 = System.nanoTime();
        if (i >= forwards / 4) {
          forward.add((t1 - t0) / 1e6);
          forwardModel.add((t2 - t1) / 1e6);
        }
      }
    }

    JsonObject out = new JsonObject()
        .put("model", model)
        .put("input_size", spec.inputSize())
        .put("channels", spec.channels())
        .put("latent", spec.latent())
        .put("batch", n)
        .put("threads", t)
        .put("steps", steps)
        .put("step_ms_p50", round(wall.percentile(50)))
        .put("step_ms_p90", round(wall.percentile(90)))
        .put("step_cpu_ms_p50", round(cpuMs.percentile(50)))
        .put("forward_ms_p50", round(forward.percentile(50)))
        .put("forward_model_ms_p50", round(forwardModel.percentile(50)))
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

  private static double loadAverage() {
    return round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static double round6(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : Double.NaN;
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : Double.NaN;
  }
}
