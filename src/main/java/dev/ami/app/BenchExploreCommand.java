package dev.ami.app;

import dev.ami.bus.Addresses;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.config.AmiConfig;
import dev.ami.model.ActionHeads;
import dev.ami.telemetry.Samples;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Exploration in the built-in world, minute by minute: distinct floor cells visited (in total and in the last
 * minute), the curiosity reward (mean and median), the policy's mean entropy per action part and each model's
 * training steps. A line per minute on stderr, one JSON
 * object with the whole series as the last line on stdout.
 */
@Command(name = "bench-explore", mixinStandardHelpOptions = true,
    description = "Run the agent in the built-in world and report its coverage and reward minute by minute.")
final class BenchExploreCommand implements Callable<Integer> {
  static final List<String> DEFAULTS = List.of("env=sim", "console.enabled=false", "checkpoint.on_shutdown=false");

  @Option(names = "--minutes", defaultValue = "20", description = "how long the agent lives")
  int minutes;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  private volatile WorldRecord world;
  private double rewardSum;
  private long rewardCount;
  private final Samples rewards = new Samples();
  private double entropySum;
  private long entropyCount;
  private final Map<String, Long> steps = new TreeMap<>();
  private final Map<String, Long> skipped = new TreeMap<>();

  @Override
  public Integer call() throws Exception {
    Vertx vertx = AmiRuntime.newVertx();
    AmiConfig config = options.loadForRuntime(vertx, DEFAULTS);
    if (config == null) {
      return Main.EXIT_CONFIG;
    }
    if (!config.getString("env").equals("sim") || minutes < 1) {
      System.err.println("ami: bench-explore needs env=sim (coverage is the built-in world's) and --minutes >= 1");
      vertx.close();
      return Main.EXIT_CONFIG;
    }
    AmiRuntime runtime = AmiRuntime.start(vertx, config).toCompletionStage().toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
    vertx.runOnContext(v -> listen(vertx));
    JsonArray series = new JsonArray();
    long t0 = System.nanoTime();
    for (int minute = 1; minute <= minutes; minute++) {
      long until = t0 + TimeUnit.MINUTES.toNanos(minute);
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
      JsonObject point = sample(minute);
      series.add(point);
      System.err.println("bench-explore: " + point.encode());
    }
    AmiRuntime.stopAndClose(runtime, vertx, 60);
    WorldRecord w = world;
    System.out.println(new JsonObject()
        .put("agent", config.getString("model.kind"))
        .put("preset", config.getString("model.preset"))
        .put("map", config.getString("sim.map"))
        .put("minutes", minutes)
        .put("cells_visited", w == null ? 0 : w.cellsVisited())
        .put("floor_cells", w == null ? 0 : w.floorCells())
        .put("series", series)
        .encode());
    return 0;
  }

  private synchronized JsonObject sample(int minute) {
    WorldRecord w = world;
    JsonObject point = new JsonObject()
        .put("minute", minute)
        .put("cells_visited", w == null ? 0 : w.cellsVisited())
        .put("cells_last_minute", w == null ? 0 : w.cellsLastMinute())
        .put("reward_mean", rewardCount == 0 ? null : BenchCommand.round6(rewardSum / rewardCount))
        .put("reward_p50", BenchCommand.round6(rewards.percentile(50)))
        .put("policy_entropy", entropyCount == 0 ? null : BenchCommand.round6(entropySum / entropyCount))
        .put("steps", new JsonObject(new TreeMap<>(steps)))
        .put("skipped_steps", new JsonObject(new TreeMap<>(skipped)));
    rewardSum = 0;
    rewardCount = 0;
    rewards.clear();
    entropySum = 0;
    entropyCount = 0;
    return point;
  }

  private void listen(Vertx vertx) {
    vertx.eventBus().<WorldRecord>consumer(Addresses.TELEMETRY_WORLD, m -> world = m.body());
    vertx.eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> onTick(m.body()));
    vertx.eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> onTrain(m.body()));
  }

  private synchronized void onTick(TickRecord r) {
    if (Double.isFinite(r.reward())) {
      rewardSum += r.reward();
      rewardCount++;
      rewards.add(r.reward());
    }
    if (r.actionProbs() != null) {
      entropySum += entropy(r.actionProbs());
      entropyCount++;
    }
  }

  /** Mean entropy (nats) of the five parts' distributions: ln 3 ≈ 1.10 and ln 2 ≈ 0.69 at uniform. */
  static double entropy(float[] probs) {
    double sum = 0;
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      for (int i = 0; i < ActionHeads.SIZES[h]; i++) {
        double p = probs[ActionHeads.offset(h) + i];
        if (p > 0) {
          sum -= p * Math.log(p);
        }
      }
    }
    return sum / ActionHeads.COUNT;
  }

  private synchronized void onTrain(TrainRecord r) {
    steps.merge(r.model(), 1L, Long::sum);
    skipped.put(r.model(), r.skippedSteps());
  }
}
