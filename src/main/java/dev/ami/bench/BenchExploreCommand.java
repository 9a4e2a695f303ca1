package dev.ami.bench;

import dev.ami.bus.Addresses;
import dev.ami.bus.Event;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.config.AgentOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.RewardOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.SimOptions;
import dev.ami.config.SystemOptions;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.ConfigOptions;
import dev.ami.runtime.ExitCodes;
import dev.ami.telemetry.CpuSteal;
import dev.ami.world.sim.ChanceWalk;
import dev.ami.world.sim.Coverage;
import dev.ami.world.sim.WorldMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 *   <li>{@code --replay TRACE --seed S}: a live run's actions replayed through the chance tool's stepper, the test
 *       of that tool ({@link ExploreReplay});</li>
 *   <li>{@code --plot OUT.png RESULTS...}: coverage over time from saved last lines, with the chance band.</li>
 * </ul>
 */
@Command(name = "bench-explore", mixinStandardHelpOptions = true,
    description = "Coverage of the built-in world minute by minute: the agent live, chance (--chance), or a plot.")
public final class BenchExploreCommand implements Callable<Integer> {
  static final List<String> DEFAULTS = List.of("env=sim", "console.enabled=false", "checkpoint.on_shutdown=false",
      "checkpoint.interval=0");

  @Option(names = "--minutes", defaultValue = "20", description = "how long the agent lives (or chance walks)")
  int minutes;

  @Option(names = "--seed", description = "system.seed: the agent's, the trainers' and the world's start")
  Long seed;

  @Option(names = "--trace", paramLabel = "FILE",
      description = "also write every tick as a JSON line to FILE, and every training step to FILE.train")
  Path trace;

  @Option(names = "--chance", description = "no agent: the world under chance policies, in faster than real time")
  boolean chance;

  @Option(names = "--runs", defaultValue = "1000",
      description = "with --chance: how many starts per policy; with --replay: how many replays")
  int runs;

  @Option(names = "--replay", paramLabel = "TRACE",
      description = "no agent: replay a live run's --trace through the chance tool's stepper from the run's start "
          + "(give the run's --seed and sim.map), beside fresh random actions from that start")
  Path replay;

  @Option(names = "--plot", paramLabel = "OUT.png",
      description = "draw coverage over time from the RESULTS files (each the last line of one run) into OUT.png")
  Path plot;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() throws Exception {
    if (plot != null) {
      return ExplorePlot.draw(plot, options.overrides().stream().map(Path::of).toList());
    }
    boolean alone = chance || replay != null; // the world without the runtime
    if (minutes < 1 || (alone && runs < 1) || (chance && replay != null)) {
      System.err.println("ami: bench-explore needs --minutes >= 1, --runs >= 1 with --chance or --replay, and not"
          + " both of those");
      return ExitCodes.CONFIG;
    }
    List<String> extra = new ArrayList<>(DEFAULTS);
    if (seed != null) {
      extra.add("system.seed=" + seed);
    }
    Vertx vertx = AmiRuntime.newVertx();
    AmiConfig config = alone ? options.loadOrReport(vertx, extra) : options.loadForRuntime(vertx, extra);
    if (config == null) {
      return ExitCodes.CONFIG;
    }
    if (!RunOptions.from(config).env().equals("sim")) {
      System.err.println("ami: bench-explore needs env=sim (coverage is the built-in world's)");
      vertx.close();
      return ExitCodes.CONFIG;
    }
    if (alone) {
      vertx.close();
      if (replay != null && !Files.isRegularFile(replay)) {
        System.err.println("ami: bench-explore --replay: no trace at " + replay);
        return ExitCodes.CONFIG;
      }
      System.out.println((chance ? chance(config) : ExploreReplay.compare(replay,
          WorldMap.named(SimOptions.from(config).map()), SimOptions.from(config).startSeed(), runs, minutes,
          AgentOptions.from(config).hz(), SimOptions.from(config).fps())).encode());
      return 0;
    }
    return live(vertx, config);
  }

  private int live(Vertx vertx, AmiConfig config) throws Exception {
    MeasurementFolder.ifAsked(vertx, config, "bench-explore");
    AmiRuntime runtime = AmiRuntime.start(vertx, config).toCompletionStage().toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
    ExploreRecorder recorder = new ExploreRecorder(trace != null);
    Path trainTrace = trace == null ? null : trace.resolveSibling(trace.getFileName() + ".train");
    if (trace != null) { // written as the run goes: a run stopped early keeps its minutes so far
      Files.deleteIfExists(trace);
      Files.deleteIfExists(trainTrace);
    }
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
      if (trace != null) {
        appendTrace(trace, recorder.takeTraceLines());
        appendTrace(trainTrace, recorder.takeTrainLines());
      }
    }
    CpuSteal.Sample cpu1 = CpuSteal.read();
    Thread.sleep(1100); // one more world report, taken after the last minute ended: the stall still going counts
    WorldRecord w = recorder.world();
    AmiRuntime.stopAndClose(runtime, vertx, 60);
    if (trace != null) {
      appendTrace(trace, recorder.takeTraceLines());
      appendTrace(trainTrace, recorder.takeTrainLines());
    }
    double steal = cpu0 == CpuSteal.NONE || cpu1 == CpuSteal.NONE ? Double.NaN : cpu1.stealPercentSince(cpu0);
    System.out.println(new JsonObject()
        .put("seed", SystemOptions.from(config).seed())
        .put("preset", RunOptions.from(config).preset())
        .put("map", SimOptions.from(config).map())
        .put("minutes", minutes)
        .put("cpu_steal_pct", ExploreRecorder.round6(steal))
        .put("cells_visited", w == null ? 0 : w.cellsVisited())
        .put("floor_cells", w == null ? 0 : w.floorCells())
        .put("rooms_visited", w == null ? 0 : w.roomsVisited())
        .put("rooms_total", w == null ? 0 : w.roomsTotal())
        .put("longest_stall_min", w == null ? null : ExploreRecorder.round6(w.longestStallMs() / 60_000))
        .put("longest_stall_open_min", w == null ? null : ExploreRecorder.round6(w.longestOpenStallMs() / 60_000))
        .put("agent", RunOptions.from(config).kind())
        .put("reward_features", (RewardOptions.from(config).randomFeatures() ? "random" : "vae"))
        .put("steps_total", new JsonObject(new java.util.TreeMap<>(recorder.totalSteps())))
        .put("rollbacks_total", recorder.totalRollbacks())
        .put("overrides", new JsonArray(options.overrides()))
        .put("dry_windows_10min", dryWindows(series, w == null ? 0 : w.floorCells(), 10))
        .put("series", series)
        .encode());
    return 0;
  }

  /**
   * Percentiles of cells visited at the end of each minute, over {@code runs} starts, for both chance policies,
   * with the share of those runs that leave their own band at some minute.
   */
  private JsonObject chance(AmiConfig config) {
    WorldMap map = WorldMap.named(SimOptions.from(config).map());
    long first = SimOptions.from(config).startSeed();
    int hz = AgentOptions.from(config).hz();
    int fps = SimOptions.from(config).fps();
    JsonObject out = new JsonObject().put("runs", runs).put("minutes", minutes).put("map", map.name())
        .put("seed", first).put("hz", hz).put("fps", fps).put("mean_hold_ticks", ChanceWalk.MEAN_HOLD);
    for (ChanceWalk.Policy policy : ChanceWalk.Policy.values()) {
      long[][] perRun = IntStream.range(0, runs).parallel()
          .mapToObj(i -> ChanceWalk.run(map, first + i, policy, minutes, hz, fps)).toArray(long[][]::new);
      out.put(policy.name().toLowerCase(java.util.Locale.ROOT), Bands.of(perRun, minutes).toJson());
    }
    return out;
  }

  /**
   * Windows of minutes k+1..k+{@code length} that added no new cell, counted while fewer than 90 % of the floor's
   * cells had been visited at the window's start: the 60-minute target wants none.
   */
  static int dryWindows(JsonArray series, long floorCells, int length) {
    int dry = 0;
    for (int k = 0; k + length <= series.size(); k++) {
      long before = k == 0 ? 0 : series.getJsonObject(k - 1).getLong("cells_visited");
      long after = series.getJsonObject(k + length - 1).getLong("cells_visited");
      if (before < 0.9 * floorCells && after == before) {
        dry++;
      }
    }
    return dry;
  }

  private static void appendTrace(Path file, List<JsonObject> lines) throws java.io.IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND)) {
      for (JsonObject line : lines) {
        w.write(line.encode());
        w.newLine();
      }
    }
  }
}
