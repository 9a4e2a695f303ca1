package dev.ami.console;

import dev.ami.bus.CheckpointRecord;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.RedeployRecord;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import dev.ami.env.Action;
import dev.ami.telemetry.NativeMemory;
import dev.ami.telemetry.ProcessMemory;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Folds the agent's per-tick and each trainer's per-step records into what the console shows: rates, last
 * values and percentiles over a window, each model's versions and policy lag, the reward, the policy's action
 * distribution, exploration and memory. Fed on one event loop, read on the same.
 */
public final class TelemetryAggregator {
  /** How far back percentiles look: 60 s, 600 ticks at 10 Hz, so a p99 is not just the window's maximum. */
  static final long WINDOW = 60_000_000_000L;
  private static final long RATE_WINDOW = 2_000_000_000L;
  private static final int CAPACITY = 8192;
  /** Weight of each tick in the running mean of the action probabilities (about 5 s at 10 Hz). */
  private static final double PROBS_EMA = 0.02;
  private static final String[] PARTS = {"vertical", "horizontal", "look", "jump", "run"};
  private static final int[] PART_SIZES = {3, 3, 3, 2, 2};

  /** One model's view: its training steps, the agent's use of it, the fill of its buffer. */
  private static final class ModelView {
    final WindowStats stepMs = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
    final WindowStats lag = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
    final WindowStats computeMs = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
    final int capacity;
    TrainRecord lastTrain;
    long steps;
    long versionPublished;
    Long versionInUse; // null: the agent does not run this model itself (the VAE, when its encoder comes with fd)

    ModelView(int capacity) {
      this.capacity = capacity;
    }
  }

  private final Map<String, ModelView> models = new LinkedHashMap<>();
  private final Map<String, Integer> capacities;
  private final WindowStats lateness = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private final WindowStats duration = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private final WindowStats inference = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private final WindowStats reward = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private String state = "starting";
  private long ticks;
  private long missed;
  private long lastTickNanos = Long.MIN_VALUE;
  private int lastAction = Action.NEUTRAL.index();
  private float[] lastProbs;
  private double[] meanProbs;
  private double[] meanEntropy; // per action part, nats, the same running mean as the probabilities
  private PpoUpdate lastPpo;
  private WorldRecord world;
  private double uptimeS = Double.NaN;
  private Double uptimeLeftS; // null: no max uptime
  private JsonObject lastCheckpoint;
  private JsonObject lastRedeploy;
  private boolean agentRedeployed; // the next tick names the models the agent now runs

  /** @param capacities the buffer capacity of each model, by key, in display order */
  public TelemetryAggregator(Map<String, Integer> capacities) {
    this.capacities = Map.copyOf(capacities);
    capacities.forEach((k, c) -> models.put(k, new ModelView(c)));
  }

  private ModelView model(String key) {
    return models.computeIfAbsent(key, k -> new ModelView(capacities.getOrDefault(k, 0)));
  }

  /**
   * Windows run on the agent's own time stamps, so a burst of late deliveries on the bus does not look like
   * a burst of ticks.
   *
   * @param receivedNanos when the console got the record ({@link System#nanoTime()}), for /health
   */
  public void onTick(TickRecord r, long receivedNanos) {
    long at = r.wallMillis() * 1_000_000L;
    if (agentRedeployed) {
      // models the new agent does not run stop being shown; a trainer still training one shows it again
      models.keySet().retainAll(r.models().keySet());
      agentRedeployed = false;
    }
    lateness.add(at, r.latenessMs());
    duration.add(at, r.durationMs());
    inference.add(at, r.inferenceMs());
    if (Double.isFinite(r.reward())) {
      reward.add(at, r.reward());
    }
    r.models().forEach((key, m) -> {
      ModelView v = model(key);
      v.lag.add(at, m.policyLag());
      v.computeMs.add(at, m.computeMs());
      v.versionInUse = m.versionUsed();
      v.versionPublished = Math.max(v.versionPublished, m.versionPublished());
    });
    if (r.actionProbs() != null) {
      lastProbs = r.actionProbs();
      if (meanProbs == null) {
        meanProbs = new double[lastProbs.length];
        for (int i = 0; i < lastProbs.length; i++) {
          meanProbs[i] = lastProbs[i];
        }
      }
      for (int i = 0; i < lastProbs.length; i++) {
        meanProbs[i] += PROBS_EMA * (lastProbs[i] - meanProbs[i]);
      }
      double[] entropy = r.entropies();
      if (meanEntropy == null) {
        meanEntropy = entropy.clone();
      }
      for (int h = 0; h < entropy.length; h++) {
        meanEntropy[h] += PROBS_EMA * (entropy[h] - meanEntropy[h]);
      }
    }
    ticks = Math.max(ticks, r.tick());
    missed = r.missed();
    lastAction = r.action();
    lastTickNanos = receivedNanos;
  }

  /** The last checkpoint, written or failed. */
  public void onCheckpoint(CheckpointRecord c) {
    lastCheckpoint = new JsonObject().put("ok", c.ok()).put("reason", c.reason()).put("path", c.path())
        .put("mb", c.ok() ? num(c.bytes() / 1e6) : null).put("ms", num(c.totalMs()))
        .put("trainer_pause_ms", num(c.trainerPauseMs())).put("error", c.error()).put("t", c.wallMillis());
  }

  /** The last redeploy, done or failed. */
  public void onRedeploy(RedeployRecord r) {
    lastRedeploy = new JsonObject().put("ok", r.ok()).put("target", r.target()).put("model_kind", r.modelKind())
        .put("build_ms", num(r.buildMs())).put("handover_ms", num(r.handoverMs()))
        .put("missed_ticks", r.missedTicks() < 0 ? null : r.missedTicks())
        .put("trainer_gap_ms", num(r.trainerGapMs())).put("warnings", new JsonArray(r.warnings()))
        .put("error", r.error()).put("t", r.wallMillis());
    agentRedeployed |= r.ok() && !r.target().equals("trainer");
  }

  public void onTrain(TrainRecord r) {
    ModelView v = model(r.model());
    v.stepMs.add(r.wallMillis() * 1_000_000L, r.stepMs());
    v.lastTrain = r;
    v.steps = Math.max(v.steps, r.step());
    v.versionPublished = Math.max(v.versionPublished, r.versionPublished());
  }

  public void onPublished(ParamsPublished p) {
    ModelView v = model(p.key());
    v.versionPublished = Math.max(v.versionPublished, p.version());
  }

  public void onWorld(WorldRecord w) {
    world = w;
  }

  /** The last PPO update's figures. */
  public void onPpo(PpoUpdate u) {
    lastPpo = u;
  }

  /** Takes state and counters from a status reply's detail (the authority on state and tick count). */
  public void onStatus(JsonObject detail) {
    state = detail.getString("state", state);
    ticks = Math.max(ticks, detail.getLong("ticks", 0L));
    uptimeS = detail.getDouble("uptime_s", uptimeS);
    uptimeLeftS = detail.getDouble("uptime_left_s");
    JsonObject byModel = detail.getJsonObject("models", new JsonObject());
    for (String key : byModel.fieldNames()) {
      JsonObject m = byModel.getJsonObject(key);
      ModelView v = model(key);
      if (m.containsKey("version_in_use")) {
        v.versionInUse = m.getLong("version_in_use");
      }
      v.versionPublished = Math.max(v.versionPublished, m.getLong("version_published", 0L));
    }
    JsonObject trained = detail.getJsonObject("trainer", new JsonObject()).getJsonObject("models", new JsonObject());
    for (String key : trained.fieldNames()) {
      ModelView v = model(key);
      v.steps = Math.max(v.steps, trained.getJsonObject(key).getLong("steps", 0L));
    }
  }

  /** Takes the state a command reply reports. */
  public void onState(String newState) {
    if (newState != null) {
      state = newState;
    }
  }

  public String state() {
    return state;
  }

  public long ticks() {
    return ticks;
  }

  /** When the console last saw a tick ({@link System#nanoTime()} clock), or {@link Long#MIN_VALUE}. */
  public long lastTickNanos() {
    return lastTickNanos;
  }

  /** The {@code {"type":"telemetry",...}} push as of {@code wallMillis}. */
  public JsonObject snapshot(long wallMillis, MemoryReading memory) {
    long now = wallMillis * 1_000_000L;
    JsonObject byModel = new JsonObject();
    models.forEach((key, v) -> {
      double size = v.lastTrain == null ? 0 : v.lastTrain.bufferSize();
      byModel.put(key, new JsonObject()
          .put("steps", v.steps)
          .put("steps_per_s", num(v.stepMs.ratePerSecond(now)))
          .put("loss", v.lastTrain == null ? null : num(v.lastTrain.loss()))
          .put("step_ms", stats(v.stepMs, now))
          .put("compute_ms", stats(v.computeMs, now))
          .put("version_published", v.versionPublished)
          .put("version_in_use", v.versionInUse)
          .put("policy_lag", v.versionInUse == null ? null : Math.max(0, v.versionPublished - v.versionInUse))
          .put("policy_lag_p99", num(v.lag.percentile(now, 99)))
          .put("buffer", new JsonObject().put("size", (long) size).put("capacity", v.capacity)
              .put("fill", v.capacity == 0 ? null : num(size / v.capacity))));
    });
    return new JsonObject()
        .put("type", "telemetry")
        .put("t", wallMillis)
        .put("state", state)
        .put("ticks", ticks)
        .put("uptime_s", num(uptimeS))
        .put("uptime_left_s", uptimeLeftS == null ? null : num(uptimeLeftS))
        .put("agent", new JsonObject()
            .put("tick_hz", num(lateness.ratePerSecond(now)))
            .put("lateness_ms", stats(lateness, now))
            .put("duration_ms", stats(duration, now))
            .put("missed_ticks", missed))
        .put("inference_ms", stats(inference, now))
        .put("models", byModel)
        .put("reward", new JsonObject().put("last", num(reward.last())).put("mean", num(reward.mean(now)))
            .put("p50", num(reward.percentile(now, 50))))
        .put("actions", lastProbs == null ? null : new JsonObject().put("last", perPart(lastProbs, null))
            .put("mean", perPart(null, meanProbs)).put("entropy", perPartValues(meanEntropy)))
        .put("ppo", ppoJson(lastPpo))
        .put("world", world == null ? null : new JsonObject().put("map", world.map())
            .put("cells_visited", world.cellsVisited()).put("cells_last_minute", world.cellsLastMinute())
            .put("floor_cells", world.floorCells()).put("rooms_visited", world.roomsVisited())
            .put("rooms_total", world.roomsTotal()).put("longest_stall_s", num(world.longestStallMs() / 1000))
            .put("longest_open_stall_s", num(world.longestOpenStallMs() / 1000)))
        .put("memory", new JsonObject()
            .put("heap_used_mb", num(memory.heapUsedMiB()))
            .put("heap_committed_mb", num(memory.heapCommittedMiB()))
            .put("heap_max_mb", num(memory.heapMaxMiB()))
            .put("native_mb", num(memory.nativeMiB()))
            .put("rss_mb", num(memory.rssMiB())))
        .put("checkpoint", lastCheckpoint)
        .put("redeploy", lastRedeploy)
        .put("action", actionJson(lastAction));
  }

  /** The 13 probabilities as {vertical: [3], horizontal: [3], look: [3], jump: [2], run: [2]}. */
  private static JsonObject perPart(float[] f, double[] d) {
    JsonObject out = new JsonObject();
    int at = 0;
    for (int p = 0; p < PARTS.length; p++) {
      JsonArray values = new JsonArray();
      for (int i = 0; i < PART_SIZES[p]; i++, at++) {
        values.add(num(f != null ? f[at] : d[at]));
      }
      out.put(PARTS[p], values);
    }
    return out;
  }

  /** One number per action part, by part name; null when there are none. */
  private static JsonObject perPartValues(double[] values) {
    if (values == null) {
      return null;
    }
    JsonObject out = new JsonObject();
    for (int p = 0; p < PARTS.length; p++) {
      out.put(PARTS[p], num(values[p]));
    }
    return out;
  }

  /** The last PPO update's figures (docs/console-protocol.md), or null before the first. */
  static JsonObject ppoJson(PpoUpdate u) {
    if (u == null) {
      return null;
    }
    double[] entropy = new double[u.entropy().length];
    for (int h = 0; h < entropy.length; h++) {
      entropy[h] = u.entropy()[h];
    }
    return new JsonObject().put("update", u.update()).put("version", u.version()).put("steps", u.steps())
        .put("loss", num(u.loss())).put("policy_loss", num(u.policyLoss())).put("value_loss", num(u.valueLoss()))
        .put("value_mean", num(u.valueMean())).put("return_mean", num(u.returnMean()))
        .put("adv_std_raw", num(u.advStdRaw())).put("grad_norm", num(u.gradNorm()))
        .put("clip_frac", num(u.clipFrac())).put("approx_kl", num(u.approxKl()))
        .put("entropy", perPartValues(entropy)).put("ent_coef", num(u.entCoef()))
        .put("reward_mean", num(u.rewardMean()))
        .put("reward_max", num(u.rewardMax())).put("reward_scale", num(u.rewardScale()))
        .put("rewards_clipped", u.rewardsClipped()).put("t", u.wallMillis());
  }

  /** Which inputs an action turns on, for the page's input display. */
  public static JsonObject actionJson(int index) {
    Action a = Action.fromIndex(index);
    return new JsonObject().put("index", index).put("vertical", a.vertical()).put("horizontal", a.horizontal())
        .put("look", a.lookHorizontal()).put("jump", a.jump()).put("run", a.run());
  }

  private static JsonObject stats(WindowStats s, long now) {
    return new JsonObject().put("last", num(s.last())).put("p50", num(s.percentile(now, 50)))
        .put("p99", num(s.percentile(now, 99))).put("max", num(s.percentile(now, 100)));
  }

  /** JSON has no NaN or infinity: those become null; 4 significant digits so small losses stay readable. */
  static Double num(double v) {
    if (!Double.isFinite(v)) {
      return null;
    }
    if (v == 0 || Math.abs(v) >= 1) {
      return Math.round(v * 1000) / 1000.0;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
  }

  /** Heap and process memory at one moment. */
  /**
   * @param nativeMiB the C heap malloc has handed out (libtorch's tensors and every JNI library's), NaN where
   *     glibc cannot say
   */
  public record MemoryReading(double heapUsedMiB, double heapCommittedMiB, double heapMaxMiB, double nativeMiB,
                              double rssMiB) {
    public static MemoryReading now() {
      Runtime rt = Runtime.getRuntime();
      return new MemoryReading((rt.totalMemory() - rt.freeMemory()) / 1048576.0, rt.totalMemory() / 1048576.0,
          rt.maxMemory() / 1048576.0, NativeMemory.mallocMiB(), ProcessMemory.rssMiB());
    }
  }
}
