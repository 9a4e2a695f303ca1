package dev.ami.console;

import dev.ami.bus.ParamsPublished;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.env.Action;
import io.vertx.core.json.JsonObject;

/**
 * Folds the agent's and trainer's per-tick and per-step records into what the console shows: rates, last
 * values and p99 over a window, versions, replay fill and memory. Fed on one event loop, read on the same.
 */
public final class TelemetryAggregator {
  /** Name of the single trainer until trainer records carry their own name. */
  public static final String TRAINER = "trainer";
  private static final long WINDOW = 10_000_000_000L;
  private static final long RATE_WINDOW = 2_000_000_000L;
  private static final int CAPACITY = 4096;

  private final int replayCapacity;
  private final WindowStats lateness = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private final WindowStats inference = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private final WindowStats lag = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private final WindowStats trainSteps = new WindowStats(WINDOW, RATE_WINDOW, CAPACITY);
  private String state = "starting";
  private long ticks;
  private long missed;
  private long versionInUse;
  private long versionPublished;
  private long lastTickNanos = Long.MIN_VALUE;
  private int lastAction = Action.NEUTRAL.index();
  private TrainRecord lastTrain;
  private long trainerSteps;
  private double uptimeS = Double.NaN;

  public TelemetryAggregator(int replayCapacity) {
    this.replayCapacity = replayCapacity;
  }

  /**
   * Windows run on the agent's own time stamps, so a burst of late deliveries on the bus does not look like
   * a burst of ticks.
   *
   * @param receivedNanos when the console got the record ({@link System#nanoTime()}), for /health
   */
  public void onTick(TickRecord r, long receivedNanos) {
    long at = r.wallMillis() * 1_000_000L;
    lateness.add(at, r.latenessMs());
    inference.add(at, r.inferenceMs());
    lag.add(at, r.policyLag());
    ticks = Math.max(ticks, r.tick());
    missed = r.missed();
    versionInUse = r.versionUsed();
    versionPublished = Math.max(versionPublished, r.versionPublished());
    lastAction = r.action();
    lastTickNanos = receivedNanos;
  }

  public void onTrain(TrainRecord r) {
    trainSteps.add(r.wallMillis() * 1_000_000L, r.stepMs());
    lastTrain = r;
    trainerSteps = Math.max(trainerSteps, r.step());
    versionPublished = Math.max(versionPublished, r.versionPublished());
  }

  public void onPublished(ParamsPublished p) {
    versionPublished = Math.max(versionPublished, p.version());
  }

  /** Takes state and counters from a status reply's detail (the authority on state and tick count). */
  public void onStatus(JsonObject detail) {
    state = detail.getString("state", state);
    ticks = Math.max(ticks, detail.getLong("ticks", 0L));
    versionInUse = detail.getLong("version_in_use", versionInUse);
    versionPublished = Math.max(versionPublished, detail.getLong("version_published", 0L));
    uptimeS = detail.getDouble("uptime_s", uptimeS);
    JsonObject trainer = detail.getJsonObject("trainer");
    if (trainer != null) {
      trainerSteps = Math.max(trainerSteps, trainer.getLong("steps", 0L));
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
    double replaySize = lastTrain == null ? 0 : lastTrain.replaySize();
    return new JsonObject()
        .put("type", "telemetry")
        .put("t", wallMillis)
        .put("state", state)
        .put("ticks", ticks)
        .put("uptime_s", num(uptimeS))
        .put("agent", new JsonObject()
            .put("tick_hz", num(lateness.ratePerSecond(now)))
            .put("lateness_ms", stats(lateness, now))
            .put("missed_ticks", missed))
        .put("inference_ms", stats(inference, now))
        .put("trainers", new JsonObject().put(TRAINER, new JsonObject()
            .put("steps", trainerSteps)
            .put("steps_per_s", num(trainSteps.ratePerSecond(now)))
            .put("loss", lastTrain == null ? null : num(lastTrain.loss()))
            .put("step_ms", stats(trainSteps, now))))
        .put("params", new JsonObject()
            .put("version_published", versionPublished)
            .put("version_in_use", versionInUse)
            .put("policy_lag", Math.max(0, versionPublished - versionInUse))
            .put("policy_lag_p99", num(lag.percentile(now, 99))))
        .put("replay", new JsonObject()
            .put("size", (long) replaySize)
            .put("capacity", replayCapacity)
            .put("fill", replayCapacity == 0 ? null : num(replaySize / replayCapacity)))
        .put("memory", new JsonObject()
            .put("heap_used_mb", num(memory.heapUsedMiB()))
            .put("heap_max_mb", num(memory.heapMaxMiB()))
            .put("rss_mb", num(memory.rssMiB())))
        .put("action", actionJson(lastAction));
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

  /** JSON has no NaN or infinity: those become null. */
  static Double num(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : null;
  }

  /** Heap and process memory at one moment. */
  public record MemoryReading(double heapUsedMiB, double heapMaxMiB, double rssMiB) {
    public static MemoryReading now() {
      Runtime rt = Runtime.getRuntime();
      return new MemoryReading((rt.totalMemory() - rt.freeMemory()) / 1048576.0, rt.maxMemory() / 1048576.0,
          dev.ami.telemetry.ProcessMemory.rssMiB());
    }
  }
}
