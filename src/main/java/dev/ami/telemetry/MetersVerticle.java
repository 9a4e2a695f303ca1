package dev.ami.telemetry;

import dev.ami.bus.Addresses;
import dev.ami.bus.CheckpointRecord;
import dev.ami.bus.ModelTick;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.RedeployRecord;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.WorldRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the agent's and the trainers' telemetry records into Micrometer meters (exposed on /metrics by the
 * console). Everything about one model carries a {@code model} tag. Runs on an event loop: each record costs
 * a few meter updates.
 */
public final class MetersVerticle extends VerticleBase {
  private final AtomicLong missedTicks = new AtomicLong();
  private final AtomicLong cellsVisited = new AtomicLong();
  private final AtomicLong cellsLastMinute = new AtomicLong();
  private final Map<String, PerModel> models = new ConcurrentHashMap<>();
  private volatile double reward = Double.NaN;
  private volatile PpoUpdate ppo;
  private final double[] entropy = new double[PARTS.length]; // per action part, the last tick's
  private static final String[] PARTS = {"vertical", "horizontal", "look", "jump", "run"};
  private MeterRegistry registry;

  /** The meters of one model, registered the first time the model is seen. */
  private final class PerModel {
    final AtomicLong versionPublished = new AtomicLong();
    final AtomicLong versionInUse = new AtomicLong();
    final AtomicLong bufferSize = new AtomicLong();
    final Timer stepTime;
    final Timer swap;
    final Timer publishToUse;
    final Timer compute;
    final DistributionSummary lag;
    volatile double loss = Double.NaN;

    PerModel(String key) {
      Tags tags = Tags.of("model", key);
      Gauge.builder("ami.params.version.published", versionPublished, AtomicLong::get).tags(tags)
          .description("newest published snapshot version").register(registry);
      Gauge.builder("ami.params.version.in_use", versionInUse, AtomicLong::get).tags(tags)
          .description("snapshot version the agent runs").register(registry);
      Gauge.builder("ami.buffer.size", bufferSize, AtomicLong::get).tags(tags)
          .description("samples in the buffer the model trains from").register(registry);
      Gauge.builder("ami.trainer.loss", this, m -> m.loss).tags(tags).description("last training loss")
          .register(registry);
      stepTime = timer("ami.trainer.step.time", "one training step", tags);
      swap = timer("ami.params.swap", "parameter swap on the agent thread", tags);
      publishToUse = timer("ami.params.publish_to_use", "snapshot publish to first tick using it", tags);
      compute = timer("ami.model.compute", "the model's forward pass in a tick", tags);
      lag = DistributionSummary.builder("ami.policy.lag").tags(tags)
          .description("published version minus the version that acted").publishPercentiles(0.5, 0.99)
          .register(registry);
    }
  }

  @Override
  public Future<?> start() {
    registry = BackendRegistries.getDefaultNow();
    if (registry == null) {
      registry = new SimpleMeterRegistry(); // metrics disabled (tests): meters still work, nobody scrapes
    }
    Timer lateness = timer("ami.tick.lateness", "tick start minus its absolute deadline", Tags.empty());
    Timer duration = timer("ami.tick.duration", "the whole tick's compute", Tags.empty());
    Timer inference = timer("ami.inference.latency", "every model's forward pass in a tick, together", Tags.empty());
    registry.gauge("ami.tick.missed", missedTicks);
    Gauge.builder("ami.memory.rss", () -> ProcessMemory.rssMiB() * 1048576.0).baseUnit("bytes")
        .description("resident memory of the process: heap and native together").register(registry);
    Gauge.builder("ami.memory.native.malloc", () -> NativeMemory.mallocMiB() * 1048576.0).baseUnit("bytes")
        .description("C heap handed out by malloc: libtorch's tensors and every JNI library's").register(registry);
    registry.gauge("ami.reward", this, m -> m.reward);
    registerPpo();
    for (int h = 0; h < PARTS.length; h++) {
      int part = h;
      Gauge.builder("ami.policy.entropy", this, m -> m.entropy[part]).tags("part", PARTS[h]).baseUnit("nats")
          .description("entropy of the policy's distribution over one action part at the last tick")
          .register(registry);
    }
    registry.gauge("ami.world.cells.visited", cellsVisited);
    registry.gauge("ami.world.cells.last_minute", cellsLastMinute);

    vertx.eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> {
      TickRecord r = m.body();
      record(lateness, Math.max(0, r.latenessMs()));
      record(duration, r.durationMs());
      record(inference, r.inferenceMs());
      missedTicks.set(r.missed());
      if (Double.isFinite(r.reward())) {
        reward = r.reward();
      }
      double[] h = r.entropies();
      if (h != null) {
        System.arraycopy(h, 0, entropy, 0, entropy.length);
      }
      r.models().forEach((key, t) -> onModelTick(model(key), t));
    });
    vertx.eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> {
      TrainRecord r = m.body();
      PerModel p = model(r.model());
      record(p.stepTime, r.stepMs());
      p.loss = r.loss();
      p.bufferSize.set(r.bufferSize());
    });
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED,
        m -> model(m.body().key()).versionPublished.set(m.body().version()));
    Timer checkpointTime = timer("ami.checkpoint.time", "a checkpoint, copy to rename", Tags.empty());
    Timer checkpointPause = timer("ami.checkpoint.trainer_pause", "the trainer's pause to copy its state",
        Tags.empty());
    vertx.eventBus().<CheckpointRecord>consumer(Addresses.TELEMETRY_CHECKPOINT, m -> {
      CheckpointRecord c = m.body();
      Counter.builder("ami.checkpoints").tags("outcome", c.ok() ? "written" : "failed")
          .description("checkpoints written or failed").register(registry).increment();
      if (c.ok()) {
        record(checkpointTime, c.totalMs());
        record(checkpointPause, c.trainerPauseMs());
      }
    });
    Timer handover = timer("ami.redeploy.handover", "new agent ready to its first tick", Tags.empty());
    vertx.eventBus().<RedeployRecord>consumer(Addresses.TELEMETRY_REDEPLOY, m -> {
      RedeployRecord r = m.body();
      Counter.builder("ami.redeploys").tags("target", r.target(), "outcome", r.ok() ? "done" : "failed")
          .description("redeploys done or failed").register(registry).increment();
      if (r.ok()) {
        record(handover, r.handoverMs());
        Counter.builder("ami.redeploy.missed_ticks").description("ticks missed during agent redeploys")
            .register(registry).increment(Math.max(0, r.missedTicks()));
      }
    });
    vertx.eventBus().<WorldRecord>consumer(Addresses.TELEMETRY_WORLD, m -> {
      cellsVisited.set(m.body().cellsVisited());
      cellsLastMinute.set(m.body().cellsLastMinute());
    });
    return Future.succeededFuture();
  }

  /** The last PPO update's figures as gauges (NaN before the first update). */
  private void registerPpo() {
    PpoUpdate.figures().forEach((name, read) -> Gauge.builder("ami.ppo." + name, this,
            m -> m.ppo == null ? Double.NaN : read.applyAsDouble(m.ppo))
        .description("the last PPO update's " + name.replace('_', ' ')).register(registry));
    for (int h = 0; h < PARTS.length; h++) {
      int part = h;
      Gauge.builder("ami.ppo.entropy", this, m -> m.ppo == null ? Double.NaN : m.ppo.entropy()[part])
          .tags("part", PARTS[h]).baseUnit("nats").description("the last PPO update's mean entropy of one action part")
          .register(registry);
    }
    Counter updates = Counter.builder("ami.ppo.updates").description("PPO updates done").register(registry);
    vertx.eventBus().<PpoUpdate>consumer(Addresses.TELEMETRY_PPO, m -> {
      ppo = m.body();
      updates.increment();
    });
  }

  private PerModel model(String key) {
    return models.computeIfAbsent(key, PerModel::new);
  }

  private static void onModelTick(PerModel p, ModelTick t) {
    record(p.swap, t.swapMs());
    record(p.publishToUse, t.publishToUseMs());
    record(p.compute, t.computeMs());
    p.lag.record(t.policyLag());
    p.versionInUse.set(t.versionUsed());
  }

  private Timer timer(String name, String description, Tags tags) {
    return Timer.builder(name).description(description).tags(tags).publishPercentiles(0.5, 0.99)
        .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
  }

  private static void record(Timer timer, double ms) {
    // a duration below zero is a clock artefact (a snapshot built after the tick that read it); skip, never warn
    if (Double.isFinite(ms) && ms >= 0) {
      timer.record(Math.round(ms * 1e6), TimeUnit.NANOSECONDS);
    }
  }
}
