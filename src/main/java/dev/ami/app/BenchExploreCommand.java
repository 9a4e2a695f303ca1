package dev.ami.app;

import dev.ami.bus.Addresses;
import dev.ami.bus.Event;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.config.AmiConfig;
import dev.ami.env.sim.ChanceWalk;
import dev.ami.env.sim.WorldMap;
import dev.ami.telemetry.CpuSteal;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Exploration in the built-in world (docs/exploration.md). Three modes:
 * <ul>
 *   <li>live (the default): the whole runtime for {@code --minutes}; a line per minute on stderr and one JSON object
 *       as the last line on stdout: coverage, stalls, reward, entropy per action part, training steps, PPO's
 *       figures and rollbacks, minute by minute;</li>
 *   <li>{@code --chance --runs N}: the world alone under a uniform random and a persistent random walk, N starts
 *       drawn as {@code --seed} draws them, in faster than real time; the last line holds the percentiles of
 *       cells visited at the end of every minute;</li>
 *   <li>{@code --plot OUT.png RESULTS...}: coverage over time from saved last lines, with the chance band.</li>
 * </ul>
 */
@Command(name = "bench-explore", mixinStandardHelpOptions = true,
    description = "Coverage of the built-in world minute by minute: the agent live, chance (--chance), or a plot.")
final class BenchExploreCommand implements Callable<Integer> {
  static final List<String> DEFAULTS = List.of("env=sim", "console.enabled=false", "checkpoint.on_shutdown=false",
      "checkpoint.interval=0");

  @Option(names = "--minutes", defaultValue = "20", description = "how long the agent lives (or chance walks)")
  int minutes;

  @Option(names = "--seed", description = "system.seed: the agent's, the trainers' and the world's start")
  Long seed;

  @Option(names = "--trace", paramLabel = "FILE", description = "also write every tick as a JSON line to FILE")
  Path trace;

  @Option(names = "--chance", description = "no agent: the world under chance policies, in faster than real time")
  boolean chance;

  @Option(names = "--runs", defaultValue = "1000", description = "with --chance: how many starts per policy")
  int runs;

  @Option(names = "--plot", paramLabel = "OUT.png",
      description = "draw coverage over time from the RESULTS files (each the last line of one run) into OUT.png")
  Path plot;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() throws Exception {
    if (plot != null) {
      return ExplorePlot.draw(plot, options.overrides.stream().map(Path::of).toList());
    }
    if (minutes < 1 || (chance && runs < 1)) {
      System.err.println("ami: bench-explore needs --minutes >= 1 (and --runs >= 1 with --chance)");
      return Main.EXIT_CONFIG;
    }
    List<String> extra = new ArrayList<>(DEFAULTS);
    if (seed != null) {
      extra.add("system.seed=" + seed);
    }
    Vertx vertx = AmiRuntime.newVertx();
    AmiConfig config = chance ? options.loadOrReport(vertx, extra) : options.loadForRuntime(vertx, extra);
    if (config == null) {
      return Main.EXIT_CONFIG;
    }
    if (!config.getString("env").equals("sim")) {
      System.err.println("ami: bench-explore needs env=sim (coverage is the built-in world's)");
      vertx.close();
      return Main.EXIT_CONFIG;
    }
    if (chance) {
      vertx.close();
      System.out.println(chance(config).encode());
      return 0;
    }
    return live(vertx, config);
  }

  private int live(Vertx vertx, AmiConfig config) throws Exception {
    MeasurementFolder.ifAsked(vertx, config, "bench-explore");
    AmiRuntime runtime = AmiRuntime.start(vertx, config).toCompletionStage().toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
    ExploreRecorder recorder = new ExploreRecorder(trace != null);
    java.util.concurrent.CompletableFuture<Void> listening = new java.util.concurrent.CompletableFuture<>();
    vertx.runOnContext(v -> {
      vertx.eventBus().<WorldRecord>consumer(Addresses.TELEMETRY_WORLD, m -> recorder.onWorld(m.body()));
      vertx.eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> recorder.onTick(m.body()));
      vertx.eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> recorder.onTrain(m.body()));
      vertx.eventBus().<PpoUpdate>consumer(Addresses.TELEMETRY_PPO, m -> recorder.onPpo(m.body()));
      vertx.eventBus().<Event>consumer(Addresses.EVENTS, m -> recorder.onEvent(m.body()));
      listening.complete(null);
    });
    listening.get(30, TimeUnit.SECONDS); // the minutes start once every record is heard
    JsonArray series = new JsonArray();
    CpuSteal.Sample cpu0 = CpuSteal.read();
    long t0 = System.nanoTime();
    for (int minute = 1; minute <= minutes; minute++) {
      long until = t0 + TimeUnit.MINUTES.toNanos(minute);
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime())));
      JsonObject point = recorder.minute(minute);
      series.add(point);
      System.err.println("bench-explore: " + point.encode());
    }
    CpuSteal.Sample cpu1 = CpuSteal.read();
    Thread.sleep(1100); // one more world report, taken after the last minute ended: the stall still going counts
    WorldRecord w = recorder.world();
    AmiRuntime.stopAndClose(runtime, vertx, 60);
    if (trace != null) {
      writeTrace(trace, recorder.traceLines());
    }
    double steal = cpu0 == CpuSteal.NONE || cpu1 == CpuSteal.NONE ? Double.NaN : cpu1.stealPercentSince(cpu0);
    System.out.println(new JsonObject()
        .put("seed", config.getLong("system.seed"))
        .put("preset", config.getString("model.preset"))
        .put("map", config.getString("sim.map"))
        .put("minutes", minutes)
        .put("cpu_steal_pct", ExploreRecorder.round6(steal))
        .put("cells_visited", w == null ? 0 : w.cellsVisited())
        .put("floor_cells", w == null ? 0 : w.floorCells())
        .put("rooms_visited", w == null ? 0 : w.roomsVisited())
        .put("rooms_total", w == null ? 0 : w.roomsTotal())
        .put("longest_stall_min", w == null ? null : ExploreRecorder.round6(w.longestStallMs() / 60_000))
        .put("longest_stall_open_min", w == null ? null : ExploreRecorder.round6(w.longestOpenStallMs() / 60_000))
        .put("agent", config.getString("model.kind"))
        .put("reward_features", config.getString("reward.features"))
        .put("steps_total", new JsonObject(new java.util.TreeMap<>(recorder.totalSteps())))
        .put("rollbacks_total", recorder.totalRollbacks())
        .put("overrides", new JsonArray(List.copyOf(options.overrides)))
        .put("series", series)
        .encode());
    return 0;
  }

  /** Percentiles of cells visited at the end of each minute, over {@code runs} starts, for both chance policies. */
  private JsonObject chance(AmiConfig config) {
    WorldMap map = WorldMap.named(config.getString("sim.map"));
    long first = config.getLong("sim.seed");
    int hz = config.getInt("agent.hz");
    int fps = config.getInt("sim.fps");
    JsonObject out = new JsonObject().put("runs", runs).put("minutes", minutes).put("map", map.name())
        .put("seed", first).put("hz", hz).put("fps", fps).put("mean_hold_ticks", ChanceWalk.MEAN_HOLD);
    for (ChanceWalk.Policy policy : ChanceWalk.Policy.values()) {
      long[][] perRun = IntStream.range(0, runs).parallel()
          .mapToObj(i -> ChanceWalk.run(map, first + i, policy, minutes, hz, fps)).toArray(long[][]::new);
      JsonObject percentiles = new JsonObject();
      for (int p : new int[] {5, 50, 95}) {
        JsonArray perMinute = new JsonArray();
        for (int m = 0; m < minutes; m++) {
          long[] at = new long[runs];
          for (int r = 0; r < runs; r++) {
            at[r] = perRun[r][m];
          }
          perMinute.add(nearestRank(at, p));
        }
        percentiles.put("p" + p, perMinute);
      }
      out.put(policy.name().toLowerCase(java.util.Locale.ROOT), percentiles);
    }
    return out;
  }

  /** The nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
  static long nearestRank(long[] values, double p) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static void writeTrace(Path file, List<JsonObject> lines) throws java.io.IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file)) {
      for (JsonObject line : lines) {
        w.write(line.encode());
        w.newLine();
      }
    }
  }
}
