package dev.ami.telemetry;

import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The telemetry of one interval, summed up as it arrives and turned into tagged scalars by {@link #drain}: the
 * curves of TensorBoard and of the console's whole-run history, with the same tags. Not thread-safe: one
 * verticle's event loop owns each.
 */
public final class IntervalSummary {
  /** One point of one curve. */
  public record Scalar(String tag, double value) {
  }

  private static final class ModelSums {
    double lossSum;
    long losses;
    long steps;
    long version;
  }

  private final Percentiles lateness = new Percentiles(); // O(1) per tick on the event loop, bounded memory
  private final Percentiles duration = new Percentiles();
  private int ticks;
  private double rewardSum;
  private double rewardMax = Double.NEGATIVE_INFINITY;
  private long rewards;
  private double entropySum;
  private long entropies;
  private final Map<String, ModelSums> models = new TreeMap<>();
  private WorldRecord world;
  private long startMillis = System.currentTimeMillis();

  public void tick(TickRecord r) {
    lateness.record(r.latenessMs());
    duration.record(r.durationMs());
    ticks++;
    if (Double.isFinite(r.reward())) {
      rewardSum += r.reward();
      rewardMax = Math.max(rewardMax, r.reward());
      rewards++;
    }
    double[] h = r.entropies();
    if (h != null) {
      entropySum += Arrays.stream(h).average().orElse(Double.NaN);
      entropies++;
    }
  }

  public void train(TrainRecord r) {
    ModelSums m = models.computeIfAbsent(r.model(), k -> new ModelSums());
    m.steps++;
    if (Double.isFinite(r.loss())) {
      m.lossSum += r.loss();
      m.losses++;
    }
    m.version = Math.max(m.version, r.versionPublished());
  }

  public void world(WorldRecord w) {
    world = w;
  }

  /** The interval's curves, and a fresh interval begins; a curve with nothing to say this time is left out. */
  public List<Scalar> drain(long nowMillis) {
    double seconds = Math.max(1e-3, (nowMillis - startMillis) / 1000.0);
    List<Scalar> out = new ArrayList<>();
    for (Map.Entry<String, ModelSums> e : models.entrySet()) {
      ModelSums m = e.getValue();
      if (m.losses > 0) {
        out.add(new Scalar("loss/" + e.getKey(), m.lossSum / m.losses));
      }
      out.add(new Scalar("steps_per_s/" + e.getKey(), m.steps / seconds));
      out.add(new Scalar("version/" + e.getKey(), m.version));
      m.lossSum = 0;
      m.losses = 0;
      m.steps = 0; // the version stays: it is a level, not a count
    }
    if (rewards > 0) {
      out.add(new Scalar("reward/mean", rewardSum / rewards));
      out.add(new Scalar("reward/max", rewardMax));
    }
    if (entropies > 0) {
      out.add(new Scalar("policy/entropy", entropySum / entropies));
    }
    if (ticks > 0) {
      out.add(new Scalar("tick/lateness_p99_ms", lateness.percentile(99)));
      out.add(new Scalar("tick/lateness_max_ms", lateness.max()));
      out.add(new Scalar("tick/duration_p99_ms", duration.percentile(99)));
    }
    if (world != null) {
      out.add(new Scalar("explore/cells", world.cellsVisited()));
      out.add(new Scalar("explore/rooms", world.roomsVisited()));
    }
    out.add(new Scalar("memory/rss_mb", ProcessMemory.rssMiB()));
    Runtime rt = Runtime.getRuntime();
    out.add(new Scalar("memory/heap_mb", (rt.totalMemory() - rt.freeMemory()) / 1048576.0));
    ticks = 0;
    lateness.reset();
    duration.reset();
    rewardSum = 0;
    rewardMax = Double.NEGATIVE_INFINITY;
    rewards = 0;
    entropySum = 0;
    entropies = 0;
    startMillis = nowMillis;
    return out;
  }
}
