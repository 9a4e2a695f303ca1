package dev.ami.bench;

import dev.ami.bus.Addresses;
import dev.ami.bus.CheckpointRecord;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ModelTick;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.RedeployRecord;
import dev.ami.bus.RedeployRequest;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.cluster.ClusterOptions;
import dev.ami.cluster.ClusterVertx;
import dev.ami.config.AgentOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.RunOptions;
import dev.ami.kind.AgentKinds;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.ConfigOptions;
import dev.ami.runtime.ExitCodes;
import dev.ami.runtime.Verticles;
import dev.ami.telemetry.CpuSteal;
import dev.ami.telemetry.ProcessMemory;
import dev.ami.telemetry.Samples;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The project's benchmark: the whole system, with measured phases of the agent running ("combined") and of the
 * trainers alone (agent paused, gates open: "isolated"), interleaved A/B/A/B so drift of the host lands on both
 * sides. Prints one JSON object as its last line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure tick lateness and compute, each trainer's step time with and without the agent, "
        + "parameter sync and the reward while the models train.")
public final class BenchCommand implements Callable<Integer> {
  /** The bench's defaults: noise frames unless env= says otherwise; the autoencoder trains flat out. */
  static final List<String> BENCH_DEFAULTS = List.of("env=noise", "ae.min_new=0", "console.enabled=false",
      "checkpoint.on_shutdown=false", "checkpoint.interval=0");

  @Option(names = "--seconds", defaultValue = "60", description = "measured time with the agent running")
  int seconds;

  @Option(names = "--warmup", defaultValue = "10", description = "seconds discarded before measuring")
  int warmup;

  @Option(names = "--cycles", defaultValue = "3",
      description = "combined/isolated pairs the measured time is cut into (A/B/A/B)")
  int cycles;

  @Option(names = "--redeploy-every", defaultValue = "0",
      description = "seconds between redeploys of the same models while the agent runs (0: none)")
  int redeployEvery;

  @Option(names = "--redeploy-target", defaultValue = "agent", description = "what to redeploy: agent, trainer or all")
  String redeployTarget;

  @Option(names = "--cluster", description = "run the trainer in a second JVM (cluster on loopback) and measure "
      + "publish-to-use across JVMs, snapshot size and wire throughput")
  boolean clustered;

  @Option(names = "--trainer-jvm", split = " ", paramLabel = "FLAGS",
      description = "with --cluster: the trainer JVM's flags, in place of this JVM's and the default heap ones, "
          + "e.g. --trainer-jvm=\"-Xms1g -XX:+AlwaysPreTouch\"")
  List<String> trainerJvm;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  private enum Phase { WARMUP, COMBINED, ISOLATED }

  private static final long SETTLE_MS = 1000;

  /** What one model did, by phase. */
  private static final class ModelSamples {
    final Samples stepMs = new Samples();
    final Samples isolatedStepMs = new Samples();
    final Samples losses = new Samples();
    final Samples lag = new Samples();
    long publishes;
    long skipped;
  }

  private final Samples lateness = new Samples();
  private final Samples duration = new Samples();
  private final Samples inference = new Samples();
  private final Samples publishToUse = new Samples();
  private final Samples swap = new Samples();
  private final Samples lag = new Samples();
  private final Samples rewards = new Samples();
  private final Samples checkpointPause = new Samples();
  private final Samples checkpointWrite = new Samples();
  private final Samples checkpointTotal = new Samples();
  private final Samples checkpointMb = new Samples();
  private final Samples checkpointLateness = new Samples();
  private final ArrayDeque<long[]> recentTicks = new ArrayDeque<>(); // {wall ms, lateness ns}
  /** Ticks {wall ms, lateness ns} by lateness, the least late first. */
  private static final Comparator<long[]> BY_LATENESS = Comparator.comparingLong(t -> t[1]);
  /** How many of the latest-starting ticks the JSON lists ({@code tick_late_starts}). */
  private static final int LATE_STARTS = 5;
  /** The latest-starting ticks of all combined phases, the least late at the head. */
  private final PriorityQueue<long[]> lateStarts = new PriorityQueue<>(BY_LATENESS);
  private long checkpointFailures;
  private final Samples redeployBuild = new Samples();
  private final Samples redeployHandover = new Samples();
  private final Samples redeployTrainerGap = new Samples();
  private final Samples redeployDeadlineGap = new Samples();
  private final Samples redeployLateness = new Samples();
  private long redeployMissed;
  private long redeployFailures;
  private volatile long redeploySentAt = -1; // wall ms of the redeploy in flight, -1 when none
  private volatile long phaseEndsAt;
  private final Map<String, ModelSamples> models = new TreeMap<>();
  private volatile Phase phase = Phase.WARMUP;
  /** CPU time and steal of the machine over the combined phases, summed. */
  private CpuSteal.Sample combinedCpu = CpuSteal.NONE;
  private volatile WorldRecord world;
  private long publishes;
  private long firstMissed = -1;
  private long lastMissed;

  private ClusterBench cluster;

  @Override
  public Integer call() throws Exception {
    cluster = clustered ? new ClusterBench(trainerJvm) : null;
    ClusterOptions node = cluster == null ? null : cluster.agentNode();
    Vertx vertx = node == null ? AmiRuntime.newVertx() : ClusterVertx.start(node, AmiRuntime.vertxOptions())
        .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    AmiConfig config = options.loadForRuntime(vertx, BENCH_DEFAULTS);
    if (config == null) {
      return ExitCodes.CONFIG;
    }
    if (seconds < 1 || warmup < 0 || cycles < 1 || redeployEvery < 0
        || !RedeployRequest.TARGETS.contains(redeployTarget)) {
      System.err.println("ami: --seconds and --cycles must be positive, --warmup and --redeploy-every not negative,"
          + " --redeploy-target one of " + RedeployRequest.TARGETS);
      vertx.close();
      return ExitCodes.CONFIG;
    }
    double rssStart = ProcessMemory.rssMiB();
    if (cluster != null) {
      cluster.startTrainer(options.overrides());
      vertx.runOnContext(v -> cluster.listen(vertx));
    }
    MeasurementFolder.ifAsked(vertx, config, "bench");
    AmiRuntime runtime = AmiRuntime.start(vertx, config, Verticles.trainer(), node).toCompletionStage()
        .toCompletableFuture().get(120, TimeUnit.SECONDS);
    vertx.runOnContext(v -> listen(vertx));
    if (cluster != null) {
      System.err.printf("bench: snapshots the trainer node trained in use after %.1f s%n",
          cluster.awaitTrainedInUse(240));
    }
    double segment = seconds / (double) cycles;
    double isolated = Math.max(5, seconds / 2.0 / cycles);
    System.err.printf("bench: %s agent, warming up %d s, then %d x (%.0f s with the agent, %.0f s trainers alone)%n",
        RunOptions.from(config).kind(), warmup, cycles, segment, isolated);
    Thread.sleep(warmup * 1000L);
    double combinedSeconds = 0;
    double isolatedSeconds = 0;
    long ticks0 = lateness.count();
    for (int c = 0; c < cycles; c++) {
      combinedSeconds += measure(Phase.COMBINED, segment);
      ask(vertx, Addresses.AGENT_CONTROL, new ControlCommand("pause", 0));
      ask(vertx, Addresses.TRAINER_CONTROL, new ControlCommand("flat-out", 1));
      isolatedSeconds += measure(Phase.ISOLATED, isolated);
      ask(vertx, Addresses.TRAINER_CONTROL, new ControlCommand("flat-out", 0));
      ask(vertx, Addresses.AGENT_CONTROL, new ControlCommand("resume", 0));
    }
    double rssEnd = ProcessMemory.rssMiB();
    JsonObject out = result(config, combinedSeconds, isolatedSeconds, lateness.count() - ticks0, rssStart, rssEnd);
    if (cluster != null) {
      cluster.addTo(out, AgentOptions.from(config).hz());
      cluster.stopTrainer();
    }
    AmiRuntime.stopAndClose(runtime, vertx, 60);
    System.out.println(out.encode());
    return 0;
  }

  /**
   * Measures one phase after a settling second: the first tick after a resume takes up snapshots published
   * while it was paused, and the first step after a pause may have begun before it; neither belongs to a phase.
   */
  private double measure(Phase p, double forSeconds) throws InterruptedException {
    Thread.sleep(SETTLE_MS);
    long t0 = System.nanoTime();
    CpuSteal.Sample cpu0 = CpuSteal.read();
    phaseEndsAt = System.currentTimeMillis() + Math.round(forSeconds * 1000);
    phase = p;
    if (cluster != null) {
      cluster.measuring(p == Phase.COMBINED);
    }
    Thread.sleep(Math.round(forSeconds * 1000));
    for (int i = 0; i < 1200 && redeploySentAt >= 0; i++) {
      Thread.sleep(100); // a redeploy in flight ends inside the phase: pausing a handing-over agent is not measured
    }
    phase = Phase.WARMUP; // between phases nothing counts
    if (cluster != null) {
      cluster.measuring(false);
    }
    CpuSteal.Sample cpu1 = CpuSteal.read();
    if (p == Phase.COMBINED && cpu0 != CpuSteal.NONE && cpu1 != CpuSteal.NONE) { // a failed read counts nothing
      combinedCpu = combinedCpu.plus(cpu1.minus(cpu0));
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void ask(Vertx vertx, String address, ControlCommand c) throws Exception {
    vertx.eventBus().request(address, c).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private synchronized JsonObject result(AmiConfig config, double combinedSeconds, double isolatedSeconds, long ticks,
                                         double rssStart, double rssEnd) {
    JsonObject byModel = new JsonObject();
    double stepsPerS = 0;
    double isolatedStepsPerS = 0;
    double lossFirst = Double.NaN;
    double lossLast = Double.NaN;
    for (Map.Entry<String, ModelSamples> e : models.entrySet()) {
      ModelSamples m = e.getValue();
      double s = m.stepMs.count() / combinedSeconds;
      double iso = m.isolatedStepMs.count() / isolatedSeconds;
      stepsPerS += s;
      isolatedStepsPerS += iso;
      byModel.put(e.getKey(), new JsonObject()
          .put("steps_per_s", round(s))
          .put("isolated_steps_per_s", round(iso))
          .put("step_ms_p50", round(m.stepMs.percentile(50)))
          .put("isolated_step_ms_p50", round(m.isolatedStepMs.percentile(50)))
          .put("step_ratio", round(m.stepMs.percentile(50) / m.isolatedStepMs.percentile(50)))
          .put("publishes", m.publishes)
          .put("skipped_steps", m.skipped)
          .put("loss_first", round6(m.losses.meanOfFirst(10)))
          .put("loss_last", round6(m.losses.meanOfLast(10)))
          .put("policy_lag_p99", round(m.lag.percentile(99))));
    }
    String first = AgentKinds.of(config).encoderKey();
    if (models.containsKey(first)) {
      lossFirst = models.get(first).losses.meanOfFirst(10);
      lossLast = models.get(first).losses.meanOfLast(10);
    }
    JsonObject out = new JsonObject()
        .put("agent", RunOptions.from(config).kind())
        .put("env", RunOptions.from(config).env())
        .put("ticks", ticks)
        .put("hz", AgentOptions.from(config).hz())
        .put("seconds", seconds)
        .put("cycles", cycles)
        .put("tick_lateness_p50_ms", round(lateness.percentile(50)))
        .put("tick_lateness_p99_ms", round(lateness.percentile(99)))
        .put("tick_lateness_max_ms", round(lateness.max()))
        .put("tick_late_starts", lateStarts())
        // the JVM's start on the same clock as at_ms: at_ms - jvm_start_ms is the uptime -Xlog stamps its lines with
        .put("jvm_start_ms", java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime())
        .put("cpu_steal_pct", round(combinedCpu.stealPercent()))
        .put("tick_duration_p50_ms", round(duration.percentile(50)))
        .put("tick_duration_p99_ms", round(duration.percentile(99)))
        .put("missed_ticks", Math.max(0, lastMissed - Math.max(0, firstMissed)))
        .put("inference_p50_ms", round(inference.percentile(50)))
        .put("inference_p99_ms", round(inference.percentile(99)))
        .put("trainer_steps_per_s", round(stepsPerS))
        .put("trainer_isolated_steps_per_s", round(isolatedStepsPerS))
        .put("publishes", publishes)
        .put("publish_to_use_p50_ms", round(publishToUse.percentile(50)))
        .put("publish_to_use_p99_ms", round(publishToUse.percentile(99)))
        .put("swap_p99_ms", round(swap.percentile(99)))
        .put("policy_lag_p99", round(lag.percentile(99)))
        .put("loss_first", round6(lossFirst))
        .put("loss_last", round6(lossLast))
        .put("reward_mean_first", round6(rewards.meanOfFirst(100)))
        .put("reward_mean_last", round6(rewards.meanOfLast(100)))
        .put("models", byModel)
        .put("checkpoints", checkpointPause.count())
        .put("checkpoint_failures", checkpointFailures)
        .put("checkpoint_trainer_pause_ms_p99", round(checkpointPause.percentile(99)))
        .put("checkpoint_write_ms_p50", round(checkpointWrite.percentile(50)))
        .put("checkpoint_ms_p50", round(checkpointTotal.percentile(50)))
        .put("checkpoint_mb", round(checkpointMb.percentile(50)))
        .put("checkpoint_tick_lateness_p99_ms", round(checkpointLateness.percentile(99)))
        .put("checkpoint_tick_lateness_max_ms", round(checkpointLateness.max()))
        .put("checkpoint_ticks", checkpointLateness.count())
        .put("redeploys", redeployBuild.count())
        .put("redeploy_failures", redeployFailures)
        .put("redeploy_target", redeployEvery > 0 ? redeployTarget : null)
        .put("redeploy_build_ms_p50", round(redeployBuild.percentile(50)))
        .put("redeploy_handover_ms_p50", round(redeployHandover.percentile(50)))
        .put("redeploy_handover_ms_max", round(redeployHandover.max()))
        .put("redeploy_deadline_gap_ms_max", round(redeployDeadlineGap.max()))
        .put("redeploy_trainer_gap_ms_p50", round(redeployTrainerGap.percentile(50)))
        .put("redeploy_missed_ticks", redeployMissed)
        .put("redeploy_tick_lateness_p99_ms", round(redeployLateness.percentile(99)))
        .put("redeploy_tick_lateness_max_ms", round(redeployLateness.max()))
        .put("redeploy_ticks", redeployLateness.count())
        .put("rss_mb_start", round(rssStart))
        .put("rss_mb_end", round(rssEnd));
    if (world != null) {
      out.put("cells_visited", world.cellsVisited()).put("cells_last_minute", world.cellsLastMinute())
          .put("floor_cells", world.floorCells());
    }
    return out;
  }

  private void listen(Vertx vertx) {
    vertx.eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> onTick(m.body()));
    vertx.eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> onTrain(m.body()));
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED, m -> onPublished(m.body()));
    vertx.eventBus().<WorldRecord>consumer(Addresses.TELEMETRY_WORLD, m -> world = m.body());
    vertx.eventBus().<CheckpointRecord>consumer(Addresses.TELEMETRY_CHECKPOINT, m -> onCheckpoint(m.body()));
    vertx.eventBus().<RedeployRecord>consumer(Addresses.TELEMETRY_REDEPLOY, m -> onRedeploy(m.body()));
    if (redeployEvery > 0) {
      vertx.setPeriodic(redeployEvery * 1000L, id -> redeploy(vertx));
    }
  }

  /** Redeploys the same models, when the agent runs and the phase has time left for a whole redeploy. */
  private void redeploy(Vertx vertx) {
    long now = System.currentTimeMillis();
    if (phase != Phase.COMBINED || redeploySentAt >= 0 || now + 15_000 > phaseEndsAt) {
      return;
    }
    redeploySentAt = now;
    vertx.eventBus().request(Addresses.REDEPLOY,
            new ControlCommand("redeploy", 0, new JsonObject().put("target", redeployTarget)),
            new DeliveryOptions().setSendTimeout(120_000))
        .onFailure(e -> {
          System.err.println("bench: redeploy failed: " + e.getMessage());
          redeploySentAt = -1;
        });
  }

  /** A redeploy's costs, and the lateness of the ticks from its request to its record. */
  private synchronized void onRedeploy(RedeployRecord r) {
    long from = redeploySentAt;
    redeploySentAt = -1;
    if (!r.ok()) {
      redeployFailures++;
      System.err.println("bench: redeploy failed: " + r.error());
      return;
    }
    redeployBuild.add(r.buildMs());
    if (Double.isFinite(r.handoverMs())) {
      redeployHandover.add(r.handoverMs());
      redeployDeadlineGap.add(r.deadlineGapMs());
    }
    if (Double.isFinite(r.trainerGapMs())) {
      redeployTrainerGap.add(r.trainerGapMs());
    }
    redeployMissed += Math.max(0, r.missedTicks());
    for (long[] t : recentTicks) {
      if (from >= 0 && t[0] >= from && t[0] <= r.wallMillis()) {
        redeployLateness.add(t[1] / 1e6);
      }
    }
  }

  private synchronized ModelSamples model(String key) {
    return models.computeIfAbsent(key, k -> new ModelSamples());
  }

  /**
   * The ticks of the combined phases that started latest after their deadline, the latest first, with their
   * wall-clock time (when the tick ended), to line up with a GC, safepoint or steal log.
   */
  private synchronized JsonArray lateStarts() {
    JsonArray out = new JsonArray();
    lateStarts.stream().sorted(BY_LATENESS.reversed())
        .forEach(t -> out.add(new JsonObject().put("at_ms", t[0]).put("lateness_ms", round(t[1] / 1e6))));
    return out;
  }

  private synchronized void onTick(TickRecord r) {
    rewards.add(r.reward()); // over the whole run: the first rewards are the untrained models' surprise
    if (phase != Phase.COMBINED) {
      return;
    }
    if (firstMissed < 0) {
      firstMissed = r.missed();
    }
    lastMissed = r.missed();
    lateness.add(r.latenessMs());
    long[] t = {r.wallMillis(), Math.round(r.latenessMs() * 1e6)};
    recentTicks.addLast(t);
    lateStarts.add(t);
    if (lateStarts.size() > LATE_STARTS) {
      lateStarts.poll(); // the least late of them
    }
    while (recentTicks.size() > 10_000) {
      recentTicks.removeFirst(); // far more than one checkpoint lasts
    }
    duration.add(r.durationMs());
    inference.add(r.inferenceMs());
    lag.add(r.policyLag());
    for (Map.Entry<String, ModelTick> e : r.models().entrySet()) {
      publishToUse.add(e.getValue().publishToUseMs());
      swap.add(e.getValue().swapMs());
      model(e.getKey()).lag.add(e.getValue().policyLag());
    }
  }

  private synchronized void onTrain(TrainRecord r) {
    ModelSamples m = model(r.model());
    m.losses.add(r.loss()); // over the whole run: loss_first is the untrained model
    m.skipped = Math.max(m.skipped, r.skippedSteps());
    if (phase == Phase.COMBINED) {
      m.stepMs.add(r.stepMs());
    } else if (phase == Phase.ISOLATED) {
      m.isolatedStepMs.add(r.stepMs());
    }
  }

  /** A checkpoint of the combined phase: its costs, and the lateness of the ticks that ran while it was taken. */
  private synchronized void onCheckpoint(CheckpointRecord c) {
    if (!c.ok()) {
      checkpointFailures++;
      return;
    }
    checkpointPause.add(c.trainerPauseMs());
    checkpointWrite.add(c.writeMs());
    checkpointTotal.add(c.totalMs());
    checkpointMb.add(c.bytes() / 1e6);
    long from = c.wallMillis() - Math.round(Math.ceil(c.totalMs()));
    for (long[] t : recentTicks) {
      if (t[0] >= from && t[0] <= c.wallMillis()) {
        checkpointLateness.add(t[1] / 1e6);
      }
    }
  }

  private synchronized void onPublished(ParamsPublished p) {
    if (phase == Phase.COMBINED) {
      publishes++;
      model(p.key()).publishes++;
    }
  }

  /** JSON has no NaN: a figure that could not be measured is null. */
  static Double round6(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : null;
  }

  static Double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
  }
}
