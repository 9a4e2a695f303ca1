package dev.ami.telemetry;

import dev.ami.bus.Addresses;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.micrometer.backends.BackendRegistries;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns the agent's and trainer's telemetry records into Micrometer meters (exposed on /metrics by the
 * console). Runs on an event loop: each record costs a few counter updates.
 */
public final class MetersVerticle extends VerticleBase {
  private final AtomicLong versionPublished = new AtomicLong();
  private final AtomicLong versionInUse = new AtomicLong();
  private final AtomicLong replaySize = new AtomicLong();
  private final AtomicLong missedTicks = new AtomicLong();
  private volatile double loss = Double.NaN;

  @Override
  public Future<?> start() {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) {
      registry = new SimpleMeterRegistry(); // metrics disabled (tests): meters still work, nobody scrapes
    }
    Timer lateness = timer(registry, "ami.tick.lateness", "tick start minus its absolute deadline");
    Timer duration = timer(registry, "ami.tick.duration", "work done in one tick");
    Timer inference = timer(registry, "ami.inference.latency", "encoder forward pass at batch 1");
    Timer stepTime = timer(registry, "ami.trainer.step.time", "one training step");
    Timer publishToUse = timer(registry, "ami.params.publish_to_use", "snapshot publish to first tick using it");
    Timer swap = timer(registry, "ami.params.swap", "parameter swap on the agent thread");
    DistributionSummary lag = DistributionSummary.builder("ami.policy.lag")
        .description("published version minus the version that acted").publishPercentiles(0.5, 0.99)
        .register(registry);
    registry.gauge("ami.params.version.published", versionPublished);
    registry.gauge("ami.params.version.in_use", versionInUse);
    registry.gauge("ami.replay.size", replaySize);
    registry.gauge("ami.tick.missed", missedTicks);
    registry.gauge("ami.trainer.loss", this, m -> m.loss);

    vertx.eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> {
      TickRecord r = m.body();
      record(lateness, Math.max(0, r.latenessMs()));
      record(duration, r.durationMs());
      record(inference, r.inferenceMs());
      record(swap, r.swapMs());
      record(publishToUse, r.publishToUseMs());
      lag.record(r.policyLag());
      versionInUse.set(r.versionUsed());
      missedTicks.set(r.missed());
    });
    vertx.eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> {
      TrainRecord r = m.body();
      record(stepTime, r.stepMs());
      loss = r.loss();
      replaySize.set(r.replaySize());
    });
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED,
        m -> versionPublished.set(m.body().version()));
    return Future.succeededFuture();
  }

  private static Timer timer(MeterRegistry registry, String name, String description) {
    return Timer.builder(name).description(description).publishPercentiles(0.5, 0.99)
        .distributionStatisticExpiry(Duration.ofMinutes(1)).register(registry);
  }

  private static void record(Timer timer, double ms) {
    if (Double.isFinite(ms)) {
      timer.record(Math.round(ms * 1e6), TimeUnit.NANOSECONDS);
    }
  }
}
