package dev.ami.bench;

import dev.ami.app.Main;
import dev.ami.runtime.ExitCodes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Event;
import dev.ami.bus.ModelTick;
import dev.ami.bus.Place;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench-explore's JSON is read by tools outside the repository: its keys are an interface. Checked here for the
 * chance tool (run for real, a few starts), for the live run's minute record (fed the telemetry records the
 * runtime sends), and for the plot drawn from both.
 */
@DisplayName("bench-explore: the chance tool, the minute record and the plot")
class BenchExploreTest {

  @Test
  @DisplayName("--chance: uniform and persistent percentiles of cells visited, one per minute, p5 <= p50 <= p95")
  void chance() {
    Output out = run("bench-explore", "--chance", "--runs", "30", "--minutes", "3", "--seed", "4", "sim.map=rooms");
    assertThat(out.code).as(out.err).isZero();
    JsonObject j = new JsonObject(out.lastLine());
    assertThat(j.getInteger("runs")).isEqualTo(30);
    assertThat(j.getInteger("minutes")).isEqualTo(3);
    for (String policy : List.of("uniform", "persistent")) {
      JsonObject p = j.getJsonObject(policy);
      assertThat(p.fieldNames()).containsExactlyInAnyOrder("p5", "p50", "p95", "outside_band_any_minute");
      assertThat(p.getDouble("outside_band_any_minute")).isBetween(0.0, 1.0);
      for (int m = 0; m < 3; m++) {
        long p5 = p.getJsonArray("p5").getLong(m);
        long p50 = p.getJsonArray("p50").getLong(m);
        long p95 = p.getJsonArray("p95").getLong(m);
        assertThat(p5).isPositive().isLessThanOrEqualTo(p50);
        assertThat(p50).isLessThanOrEqualTo(p95);
        if (m > 0) {
          assertThat(p50).isGreaterThanOrEqualTo(p.getJsonArray("p50").getLong(m - 1));
        }
      }
    }
    assertThat(j.getJsonObject("persistent").getJsonArray("p50").getLong(2))
        .isGreaterThan(j.getJsonObject("uniform").getJsonArray("p50").getLong(2));
    assertThat(run("bench-explore", "--chance", "--runs", "30", "--minutes", "3", "--seed", "4", "sim.map=rooms")
        .lastLine()).as("the same seed, the same distribution").isEqualTo(out.lastLine());
  }

  @Test
  @DisplayName("--replay: a trace's live cells ranked among replays of its actions and fresh actions from its start")
  void replay(@TempDir Path dir) throws Exception {
    // a lockstep world stands in for the live one: its trace is what bench-explore --trace writes
    dev.ami.world.sim.WorldMap map = dev.ami.world.sim.WorldMap.named("rooms");
    java.util.SplittableRandom r = new java.util.SplittableRandom(11);
    int ticks = 2 * 600;
    int[] actions = r.ints(ticks, 0, dev.ami.env.Action.COUNT).toArray();
    Path walking = dir.resolve("walking.trace");
    writeTrace(walking, actions, map, 3);
    Output out = run("bench-explore", "--replay", walking.toString(), "--runs", "40", "--minutes", "5", "--seed", "3",
        "sim.map=rooms");
    assertThat(out.code).as(out.err).isZero();
    JsonObject j = new JsonObject(out.lastLine());
    assertThat(j.getInteger("minutes")).as("as long as the trace, not --minutes").isEqualTo(2);
    assertThat(j.getInteger("runs")).isEqualTo(40);
    long[] live = cellsPerMinute(actions, map, 3);
    assertThat(j.getJsonArray("live").getLong(0)).isEqualTo(live[0]);
    assertThat(j.getJsonArray("live").getLong(1)).isEqualTo(live[1]);
    for (String spread : List.of("replay", "same_start")) {
      JsonObject b = j.getJsonObject(spread);
      assertThat(b.getJsonArray("p5").getLong(1)).isPositive().isLessThanOrEqualTo(b.getJsonArray("p50").getLong(1));
      assertThat(b.getJsonArray("p50").getLong(1)).isLessThanOrEqualTo(b.getJsonArray("p95").getLong(1));
      assertThat(j.getJsonObject("live_percentile").getJsonArray(spread).getDouble(1)).isBetween(0.0, 100.0);
    }

    // an avatar that never moved ranks below every replay of random actions from its start
    Path still = dir.resolve("still.trace");
    int[] neutral = new int[ticks];
    java.util.Arrays.fill(neutral, dev.ami.env.Action.NEUTRAL.index());
    writeTrace(still, neutral, map, 3);
    JsonObject s = new JsonObject(run("bench-explore", "--replay", still.toString(), "--runs", "40", "--seed", "3",
        "sim.map=rooms").lastLine());
    assertThat(s.getJsonArray("live").getLong(1)).isEqualTo(1);
    assertThat(s.getJsonObject("live_percentile").getJsonArray("same_start").getDouble(1)).isZero();
    assertThat(s.getJsonObject("replay").getJsonArray("p95").getLong(1)).as("its own actions replayed stand still")
        .isEqualTo(1);

    assertThat(run("bench-explore", "--replay", dir.resolve("absent.trace").toString(), "--seed", "3").code)
        .isEqualTo(ExitCodes.CONFIG);
  }

  /** The cells a lockstep walk of these actions visits, once a tick, at each minute's end. */
  private static long[] cellsPerMinute(int[] actions, dev.ami.world.sim.WorldMap map, long seed) throws Exception {
    java.util.Set<Long> cells = new java.util.HashSet<>();
    long[] out = new long[actions.length / 600];
    walk(actions, map, seed, (tick, cell) -> {
      cells.add(((long) cell[0] << 32) | cell[1]);
      if (tick % 600 == 0) {
        out[tick / 600 - 1] = cells.size();
      }
    });
    return out;
  }

  private static void writeTrace(Path file, int[] actions, dev.ami.world.sim.WorldMap map, long seed)
      throws Exception {
    StringBuilder lines = new StringBuilder();
    walk(actions, map, seed, (tick, cell) -> lines.append(new JsonObject().put("tick", tick)
        .put("action", actions[tick - 1]).put("cell", new JsonArray().add(cell[0]).add(cell[1])).encode())
        .append('\n'));
    Files.writeString(file, lines.toString());
  }

  /** Steps a lockstep built-in world through the actions, telling each tick's cell after its action. */
  private static void walk(int[] actions, dev.ami.world.sim.WorldMap map, long seed,
      java.util.function.BiConsumer<Integer, int[]> onTick) throws Exception {
    dev.ami.world.sim.SimWorld world = new dev.ami.world.sim.SimWorld(new dev.ami.config.SimOptions(0, 30, 16, 16, 16,
        "", "mpegts", map.name(), seed, 10));
    world.start();
    try {
      for (int t = 0; t < actions.length; t++) {
        world.actuator().act(dev.ami.env.Action.fromIndex(actions[t]));
        Place p = world.place();
        onTick.accept(t + 1, new int[] {p.x(), p.y()});
      }
    } finally {
      world.close();
    }
  }

  @Test
  @DisplayName("nearest-rank percentiles by hand")
  void nearestRank() {
    long[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertThat(Bands.nearestRank(v, 5)).isEqualTo(1);
    assertThat(Bands.nearestRank(v, 50)).isEqualTo(5);
    assertThat(Bands.nearestRank(v, 95)).isEqualTo(10);
    assertThat(Bands.nearestRank(new long[] {7}, 95)).isEqualTo(7);
  }

  @Test
  @DisplayName("dry ten-minute windows by hand: counted only while under 90 % of the floor is covered")
  void dryWindows() {
    // cumulative cells over 14 minutes of a floor of 100: nothing new in minutes 3..12, then 95 (past 90 %)
    long[] cells = {10, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 20, 95, 95};
    JsonArray series = new JsonArray();
    for (long c : cells) {
      series.add(new JsonObject().put("cells_visited", c));
    }
    // windows k+1..k+10 for k = 0..4: k=0 adds 20, k=1 adds 10, k=2 (minutes 3..12) adds none: dry; k=3, k=4 reach
    // 95: not dry
    assertThat(BenchExploreCommand.dryWindows(series, 100, 10)).isEqualTo(1);
    long[] covered = {95, 95, 95, 95, 95, 95, 95, 95, 95, 95, 95};
    JsonArray done = new JsonArray();
    for (long c : covered) {
      done.add(new JsonObject().put("cells_visited", c));
    }
    assertThat(BenchExploreCommand.dryWindows(done, 100, 10)).as("past 90 %% of the floor a window may stay dry")
        .isZero();
  }

  @Test
  @DisplayName("a minute's record: coverage, reward, entropy per part, steps, PPO means, rollbacks; then a fresh start")
  void minute() {
    ExploreRecorder r = new ExploreRecorder(true);
    r.onWorld(new WorldRecord("rooms", 40, 12, 1293, 2, 9, 30_000, 30_000, 0));
    float[] uniform = {1 / 3f, 1 / 3f, 1 / 3f, 1 / 3f, 1 / 3f, 1 / 3f, 1, 0, 0, 0.5f, 0.5f, 1, 0};
    Map<String, ModelTick> models = Map.of("fd", new ModelTick(3, 3, 1, 0.01, 50), "policy",
        new ModelTick(2, 2, 1, Double.NaN, Double.NaN));
    r.onTick(new TickRecord(1, 0, 3, 2, models, 0.5, uniform, 0, 0, 10, false, new Place(6, 2, 0)));
    r.onTick(new TickRecord(2, 0, 3, 2, models, 1.5, uniform, 0, 0, 110, false, new Place(6, 3, 0)));
    r.onTick(new TickRecord(3, 0, 3, 2, models, Double.NaN, uniform, 0, 0, 210, false, null));
    r.onTrain(new TrainRecord("fd", 1, 20, 0.3, 3, 10, 0, 0));
    r.onTrain(new TrainRecord("fd", 2, 20, Double.NaN, 3, 10, 1, 0)); // a skipped step is no step
    r.onTrain(new TrainRecord("policy", 1, 13, 0.1, 2, 10, 0, 0));
    r.onPpo(update(1.0, 0.2));
    r.onPpo(update(3.0, Double.NaN));
    r.onEvent(Event.warn("trainer-rollback", "fd: rolled back"));
    JsonObject m = r.minute(1);
    assertThat(m.getInteger("minute")).isEqualTo(1);
    assertThat(m.getLong("cells_visited")).isEqualTo(40);
    assertThat(m.getLong("new_cells")).isEqualTo(40);
    assertThat(m.getInteger("rooms_visited")).isEqualTo(2);
    assertThat(m.getDouble("reward_mean")).isEqualTo(1.0);
    assertThat(m.getDouble("reward_max")).isEqualTo(1.5);
    JsonArray h = m.getJsonArray("entropy");
    assertThat(h.size()).isEqualTo(5);
    assertThat(h.getDouble(0)).isCloseTo(Math.log(3), org.assertj.core.api.Assertions.within(1e-5));
    assertThat(h.getDouble(2)).isZero();
    assertThat(h.getDouble(3)).isCloseTo(Math.log(2), org.assertj.core.api.Assertions.within(1e-5));
    assertThat(m.getJsonObject("steps")).isEqualTo(new JsonObject().put("fd", 1L).put("policy", 1L).put("vae", 0L));
    JsonObject ppo = m.getJsonObject("ppo");
    assertThat(ppo.fieldNames()).contains("loss", "value_loss", "value_mean", "return_mean", "adv_std_raw", "grad_norm",
        "clip_frac", "approx_kl");
    assertThat(ppo.getDouble("value_loss")).as("the mean over the minute's updates").isEqualTo(2.0);
    assertThat(ppo.getDouble("approx_kl")).as("a non-finite figure is left out of the mean").isEqualTo(0.2);
    assertThat(m.getLong("rollbacks")).isEqualTo(1);
    assertThat(m.getLong("swap_ticks")).isEqualTo(3);
    assertThat(m.getLong("unrewarded_ticks")).isEqualTo(1);

    r.onWorld(new WorldRecord("rooms", 55, 20, 1293, 3, 9, 30_000, 30_000, 0));
    JsonObject next = r.minute(2);
    assertThat(next.getLong("new_cells")).isEqualTo(15);
    assertThat(next.getValue("ppo")).as("no update in the minute").isNull();
    assertThat(next.getValue("reward_mean")).isNull();
    assertThat(next.getLong("rollbacks")).isZero();
    List<JsonObject> lines = r.takeTraceLines();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).getJsonArray("cell")).isEqualTo(new JsonArray().add(6).add(2));
    assertThat(lines.get(0).getJsonArray("swapped")).isEqualTo(new JsonArray().add("fd"));
    assertThat(r.takeTraceLines()).as("taken lines leave the recorder: each is written once").isEmpty();
  }

  @Test
  @DisplayName("--plot draws a PNG from a chance result and a live result")
  void plot(@TempDir Path dir) throws Exception {
    Output chance = run("bench-explore", "--chance", "--runs", "10", "--minutes", "3", "sim.map=rooms");
    Path chanceFile = dir.resolve("chance.json");
    Files.writeString(chanceFile, "some log line\n" + chance.lastLine() + "\n");
    JsonObject live = new JsonObject().put("seed", 1).put("preset", "curiosity").put("agent", "curiosity")
        .put("series", new JsonArray().add(new JsonObject().put("minute", 1).put("cells_visited", 30))
            .add(new JsonObject().put("minute", 2).put("cells_visited", 70))
            .add(new JsonObject().put("minute", 3).put("cells_visited", 90)));
    Path liveFile = dir.resolve("live.json");
    Files.writeString(liveFile, live.encode() + "\n");
    Path png = dir.resolve("coverage.png");
    Output out = run("bench-explore", "--plot", png.toString(), chanceFile.toString(), liveFile.toString());
    assertThat(out.code).as(out.err).isZero();
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(1100);
    assertThat(image.getHeight()).isEqualTo(700);
    assertThat(run("bench-explore", "--plot", png.toString()).code).as("no results: a usage error").isEqualTo(2);
  }

  private static PpoUpdate update(double valueLoss, double kl) {
    return new PpoUpdate(1, 2, 48, 0, 0.1, -0.01, valueLoss, 0.5, 0.6, 0.3, 0.4, 0.1, kl,
        new float[] {1, 1, 1, 0.6f, 0.6f}, 0.001, 0.2, 0.9, 3, 0, 0, 0);
  }

  private record Output(int code, String out, String err) {
    String lastLine() {
      String[] lines = out.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private static Output run(String... args) {
    PrintStream originalOut = System.out;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args);
      return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(originalOut);
      System.setErr(originalErr);
    }
  }
}
