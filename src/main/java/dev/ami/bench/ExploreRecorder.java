package dev.ami.bench;

import dev.ami.bus.Event;
import dev.ami.bus.ModelTick;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.model.ActionHeads;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code bench-explore} keeps of the running system's telemetry, minute by minute: the world's coverage, the
 * reward, the policy's entropy per action part, each model's training steps, the PPO updates' figures and the
 * rollbacks; and, when asked, every tick as one line of a trace. Fed on the event loop, read at each minute's end.
 */
final class ExploreRecorder {
  /** The PPO figures of the bench JSON, in its key order, and how each is read from an update. */
  private static final Map<String, java.util.function.ToDoubleFunction<PpoUpdate>> PPO_KEYS = PpoUpdate.figures();

  private final boolean trace;
  private final List<JsonObject> traceLines = new ArrayList<>();
  private final List<JsonObject> trainLines = new ArrayList<>();
  private WorldRecord world;
  private long lastCells;
  // this minute's sums
  private double rewardSum;
  private long rewardCount;
  private double rewardMax = Double.NEGATIVE_INFINITY;
  private final double[] entropySum = new double[ActionHeads.COUNT];
  private final double[] maxProbSum = new double[ActionHeads.COUNT];
  private long entropyCount;
  private long swapTicks;
  private long unrewardedTicks;
  private final Map<String, Long> steps = new TreeMap<>();
  private final Map<String, List<Double>> losses = new TreeMap<>();
  private final Map<String, List<Double>> gradNorms = new TreeMap<>();
  private final List<PpoUpdate> updates = new ArrayList<>();
  private long rollbacks;
  // the whole run's
  private final Map<String, Long> totalSteps = new TreeMap<>();
  private long totalRollbacks;

  ExploreRecorder(boolean trace) {
    this.trace = trace;
    for (String m : List.of("vae", "fd", "policy")) {
      steps.put(m, 0L);
    }
  }

  synchronized void onWorld(WorldRecord w) {
    world = w;
  }

  synchronized void onTick(TickRecord r) {
    if (Double.isFinite(r.reward())) {
      rewardSum += r.reward();
      rewardCount++;
      rewardMax = Math.max(rewardMax, r.reward());
    } else if (!r.blind()) {
      unrewardedTicks++;
    }
    double[] entropy = r.entropies();
    if (entropy != null) {
      double[] maxProb = r.maxProbs();
      for (int h = 0; h < entropy.length; h++) {
        entropySum[h] += entropy[h];
        maxProbSum[h] += maxProb[h];
      }
      entropyCount++;
    }
    if (r.swapped()) {
      swapTicks++;
    }
    if (trace) {
      traceLines.add(traceLine(r));
    }
  }

  synchronized void onTrain(TrainRecord r) {
    if (trace) { // every training step: when a model's loss or gradients leave their scale, and how
      trainLines.add(new JsonObject().put("model", r.model()).put("step", r.step()).put("wall_ms", r.wallMillis())
          .put("loss", Double.isFinite(r.loss()) ? r.loss() : null)
          .put("grad_norm", Double.isFinite(r.gradNorm()) ? r.gradNorm() : null)
          .put("version", r.versionPublished()).put("skipped", r.skippedSteps()));
    }
    if (Double.isFinite(r.loss())) {
      steps.merge(r.model(), 1L, Long::sum);
      totalSteps.merge(r.model(), 1L, Long::sum);
      losses.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r.loss());
    }
    if (Double.isFinite(r.gradNorm())) {
      gradNorms.computeIfAbsent(r.model(), k -> new ArrayList<>()).add(r.gradNorm());
    }
  }

  synchronized void onPpo(PpoUpdate u) {
    updates.add(u);
  }

  synchronized void onEvent(Event e) {
    if ("trainer-rollback".equals(e.kind())) {
      rollbacks++;
      totalRollbacks++;
    }
  }

  /** The minute that just ended, and a fresh start for the next. */
  synchronized JsonObject minute(int minute) {
    long cells = world == null ? 0 : world.cellsVisited();
    JsonObject point = new JsonObject()
        .put("minute", minute)
        .put("cells_visited", cells)
        .put("new_cells", cells - lastCells)
        .put("rooms_visited", world == null ? 0 : world.roomsVisited())
        .put("reward_mean", rewardCount == 0 ? null : round6(rewardSum / rewardCount))
        .put("reward_max", rewardCount == 0 ? null : round6(rewardMax))
        .put("entropy", entropyCount == 0 ? null : means(entropySum, entropyCount))
        .put("steps", new JsonObject(new TreeMap<>(steps)))
        .put("ppo", ppo(updates))
        .put("rollbacks", rollbacks)
        .put("max_prob", entropyCount == 0 ? null : means(maxProbSum, entropyCount))
        .put("cells_last_minute", world == null ? 0 : world.cellsLastMinute())
        .put("ppo_updates", updates.size())
        .put("swap_ticks", swapTicks)
        .put("unrewarded_ticks", unrewardedTicks)
        .put("loss", summaries(losses))
        .put("grad_norm", summaries(gradNorms));
    losses.clear();
    gradNorms.clear();
    lastCells = cells;
    rewardSum = 0;
    rewardCount = 0;
    rewardMax = Double.NEGATIVE_INFINITY;
    java.util.Arrays.fill(entropySum, 0);
    java.util.Arrays.fill(maxProbSum, 0);
    entropyCount = 0;
    swapTicks = 0;
    unrewardedTicks = 0;
    steps.replaceAll((k, v) -> 0L);
    updates.clear();
    rollbacks = 0;
    return point;
  }

  synchronized WorldRecord world() {
    return world;
  }

  synchronized Map<String, Long> totalSteps() {
    return new TreeMap<>(totalSteps);
  }

  synchronized long totalRollbacks() {
    return totalRollbacks;
  }

  /** The training-step lines gathered since the last call (they leave the recorder). */
  synchronized List<JsonObject> takeTrainLines() {
    List<JsonObject> out = List.copyOf(trainLines);
    trainLines.clear();
    return out;
  }

  /** The tick lines gathered since the last call (they leave the recorder). */
  synchronized List<JsonObject> takeTraceLines() {
    List<JsonObject> out = List.copyOf(traceLines);
    traceLines.clear();
    return out;
  }

  /** Per model: the median and the largest of the minute's values. */
  private static JsonObject summaries(Map<String, List<Double>> byModel) {
    JsonObject out = new JsonObject();
    byModel.forEach((model, values) -> {
      double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      out.put(model, new JsonObject().put("p50", round6(sorted[(sorted.length - 1) / 2]))
          .put("max", round6(sorted[sorted.length - 1])));
    });
    return out;
  }

  /** The means of the updates' figures, or null when no update ended in the minute. */
  static JsonObject ppo(List<PpoUpdate> updates) {
    if (updates.isEmpty()) {
      return null;
    }
    JsonObject out = new JsonObject();
    PPO_KEYS.forEach((key, read) -> {
      double sum = 0;
      int n = 0;
      for (PpoUpdate u : updates) {
        double v = read.applyAsDouble(u);
        if (Double.isFinite(v)) {
          sum += v;
          n++;
        }
      }
      out.put(key, n == 0 ? null : round6(sum / n));
    });
    return out;
  }

  private static JsonObject traceLine(TickRecord r) {
    JsonObject versions = new JsonObject();
    JsonArray swapped = new JsonArray();
    for (Map.Entry<String, ModelTick> e : r.models().entrySet()) {
      versions.put(e.getKey(), e.getValue().versionUsed());
      if (e.getValue().swapped()) {
        swapped.add(e.getKey());
      }
    }
    JsonObject line = new JsonObject().put("tick", r.tick()).put("wall_ms", r.wallMillis())
        .put("reward", Double.isFinite(r.reward()) ? round6(r.reward()) : null).put("action", r.action())
        .put("versions", versions).put("swapped", swapped);
    if (r.place() != null) {
      line.put("cell", new JsonArray().add(r.place().x()).add(r.place().y())).put("room", r.place().room());
    }
    if (r.actionProbs() != null) {
      line.put("entropy", rounded(r.entropies(), 4)).put("max_prob", rounded(r.maxProbs(), 4));
    }
    return line;
  }

  private static JsonArray means(double[] sums, long n) {
    JsonArray out = new JsonArray();
    for (double s : sums) {
      out.add(round6(s / n));
    }
    return out;
  }

  private static JsonArray rounded(double[] values, int digits) {
    JsonArray out = new JsonArray();
    double scale = Math.pow(10, digits);
    for (double v : values) {
      out.add(Math.round(v * scale) / scale);
    }
    return out;
  }

  /** Six decimals; a number too large for that is kept as it is. */
  static Double round6(double v) {
    if (!Double.isFinite(v)) {
      return null;
    }
    return Math.abs(v) >= 1e9 ? v : Math.round(v * 1e6) / 1e6;
  }
}
