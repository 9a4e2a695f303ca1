package dev.ami.bench;

import dev.ami.env.Action;
import dev.ami.world.sim.ChanceWalk;
import dev.ami.world.sim.WorldMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Tests the chance tool against one live run ({@code bench-explore --replay TRACE}): the run's own actions are
 * replayed through the chance tool's stepper from the run's start, {@code runs} times with the live world's
 * timing drawn afresh each time ({@link ChanceWalk#replay}), beside fresh uniform actions from that same start.
 * If the stepper is the live world, the live run sits inside both spreads, at a rank no more extreme than a
 * chance run's own; if it is not, the live run sits at one edge of them run after run.
 */
final class ExploreReplay {
  private ExploreReplay() {
  }

  /** A trace's actions and the live run's distinct cells at the end of each minute, both read from the trace. */
  record Trace(int[] actions, long[] cellsPerMinute) {
  }

  /**
   * Reads a {@code --trace} file: one action per tick (a tick without a valid one holds the previous action) and
   * the distinct cells of the ticks so far at each minute's end. The trace samples the cell once a tick, the live
   * count at every world step, so the trace's count can miss a cell crossed between two ticks.
   */
  static Trace read(Path file, int hz) throws IOException {
    List<Integer> actions = new ArrayList<>();
    List<Long> perMinute = new ArrayList<>();
    Set<Long> cells = new HashSet<>();
    int held = 0;
    for (String line : Files.readAllLines(file)) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject tick = new JsonObject(line);
      Integer action = tick.getInteger("action");
      if (action != null && action >= 0 && action < Action.COUNT) {
        held = action;
      }
      actions.add(held);
      JsonArray cell = tick.getJsonArray("cell");
      if (cell != null) {
        cells.add(((long) cell.getInteger(0) << 32) | (cell.getInteger(1) & 0xFFFF_FFFFL));
      }
      if (actions.size() % (60 * hz) == 0) {
        perMinute.add((long) cells.size());
      }
    }
    return new Trace(actions.stream().mapToInt(Integer::intValue).toArray(),
        perMinute.stream().mapToLong(Long::longValue).toArray());
  }

  static JsonObject compare(Path file, WorldMap map, long seed, int runs, int minutes, int hz, int fps)
      throws IOException {
    Trace trace = read(file, hz);
    int m = Math.min(minutes, trace.cellsPerMinute().length);
    if (m < 1) {
      throw new IOException(file + " holds less than a minute of ticks (" + trace.actions().length + " at " + hz
          + " Hz)");
    }
    long[][] replays = IntStream.range(0, runs).parallel()
        .mapToObj(i -> ChanceWalk.replay(map, seed, trace.actions(), new SplittableRandom(seed * 31 + i), m, hz, fps))
        .toArray(long[][]::new);
    // fresh uniform actions from the run's own start: each draw stream differs, the start does not
    long[][] sameStart = IntStream.range(0, runs).parallel().mapToObj(i -> {
      SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 7919L * (i + 1));
      int[] actions = r.ints((long) m * 60 * hz, 0, Action.COUNT).toArray();
      return ChanceWalk.replay(map, seed, actions, null, m, hz, fps);
    }).toArray(long[][]::new);
    long[] live = java.util.Arrays.copyOf(trace.cellsPerMinute(), m);
    return new JsonObject().put("trace", file.toString()).put("seed", seed).put("map", map.name()).put("runs", runs)
        .put("minutes", m).put("hz", hz).put("fps", fps)
        .put("live", new JsonArray(java.util.Arrays.stream(live).boxed().toList()))
        .put("replay", Bands.of(replays, m).toJson())
        .put("same_start", Bands.of(sameStart, m).toJson())
        .put("live_percentile", new JsonObject()
            .put("replay", percentiles(live, replays, m))
            .put("same_start", percentiles(live, sameStart, m)));
  }

  /** Where each minute's live value ranks among the runs, in percent (ties count half): 50 is the median. */
  private static JsonArray percentiles(long[] live, long[][] runs, int minutes) {
    JsonArray out = new JsonArray();
    for (int minute = 0; minute < minutes; minute++) {
      double below = 0;
      for (long[] run : runs) {
        below += run[minute] < live[minute] ? 1 : run[minute] == live[minute] ? 0.5 : 0;
      }
      out.add(Math.round(1000 * below / runs.length) / 10.0);
    }
    return out;
  }
}
