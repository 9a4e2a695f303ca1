package dev.ami.app;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.config.AmiConfig;
import dev.ami.telemetry.ProcessMemory;
import dev.ami.telemetry.Samples;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The project's benchmark: the whole system on the noise world with the trainer flat out, then the trainer
 * alone. Prints one JSON object as its last line.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure tick lateness, trainer throughput and parameter sync while training saturates a core.")
final class BenchCommand implements Callable<Integer> {
  /** The bench's defaults: noise frames and a trainer that never waits for new samples. */
  static final List<String> BENCH_DEFAULTS = List.of("env=noise", "trainer.min_new_samples=0", "console.enabled=false");

  @Option(names = "--seconds", defaultValue = "60", description = "measured duration of the combined phase")
  int seconds;

  @Option(names = "--warmup", defaultValue = "10", description = "seconds discarded before measuring")
  int warmup;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  private final Samples lateness = new Samples();
  private final Samples inference = new Samples();
  private final Samples publishToUse = new Samples();
  private final Samples swap = new Samples();
  private final Samples lag = new Samples();
  private final Samples losses = new Samples();
  private final AtomicLong trainSteps = new AtomicLong();
  private final AtomicLong publishes = new AtomicLong();
  private volatile boolean measuring;
  private long firstMissed = -1;
  private long lastMissed;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = AmiRuntime.newVertx();
    AmiConfig config = options.loadOrReport(vertx, BENCH_DEFAULTS);
    if (config == null) {
      return Main.EXIT_CONFIG;
    }
    double rssStart = ProcessMemory.rssMiB();
    AmiRuntime runtime = AmiRuntime.start(vertx, config).toCompletionStage().toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
    listen(vertx);
    System.err.printf("bench: warming up %d s, then measuring %d s with the agent and %d s trainer alone%n",
        warmup, seconds, Math.max(5, seconds / 2));
    Thread.sleep(warmup * 1000L);
    measuring = true;
    long t0 = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    measuring = false;
    double combinedSeconds = (System.nanoTime() - t0) / 1e9;
    long combinedSteps = trainSteps.getAndSet(0);
    long ticks = lateness.count();

    // the trainer alone: pause the agent (it stops ticking and leaves its core idle)
    vertx.eventBus().request(Addresses.AGENT_CONTROL, ControlCommand.of("pause")).toCompletionStage()
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    int isolated = Math.max(5, seconds / 2);
    measuring = true;
    long t1 = System.nanoTime();
    Thread.sleep(isolated * 1000L);
    measuring = false;
    double isolatedSeconds = (System.nanoTime() - t1) / 1e9;
    long isolatedSteps = trainSteps.get();
    double rssEnd = ProcessMemory.rssMiB();
    runtime.stop().compose(v -> vertx.close()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

    JsonObject result = new JsonObject()
        .put("ticks", ticks)
        .put("hz", config.getInt("agent.hz"))
        .put("seconds", seconds)
        .put("tick_lateness_p50_ms", round(lateness.percentile(50)))
        .put("tick_lateness_p99_ms", round(lateness.percentile(99)))
        .put("tick_lateness_max_ms", round(lateness.max()))
        .put("missed_ticks", Math.max(0, lastMissed - Math.max(0, firstMissed)))
        .put("inference_p50_ms", round(inference.percentile(50)))
        .put("inference_p99_ms", round(inference.percentile(99)))
        .put("trainer_steps_per_s", round(combinedSteps / combinedSeconds))
        .put("trainer_isolated_steps_per_s", round(isolatedSteps / isolatedSeconds))
        .put("publishes", publishes.get())
        .put("publish_to_use_p50_ms", round(publishToUse.percentile(50)))
        .put("publish_to_use_p99_ms", round(publishToUse.percentile(99)))
        .put("swap_p99_ms", round(swap.percentile(99)))
        .put("policy_lag_p99", lag.percentile(99))
        .put("loss_first", round(losses.meanOfFirst(10)))
        .put("loss_last", round(losses.meanOfLast(10)))
        .put("rss_mb_start", round(rssStart))
        .put("rss_mb_end", round(rssEnd));
    System.out.println(result.encode());
    return 0;
  }

  private void listen(Vertx vertx) {
    MessageConsumer<TickRecord> ticks = vertx.eventBus().consumer(Addresses.TELEMETRY_TICK);
    ticks.handler(m -> {
      TickRecord r = m.body();
      if (!measuring) {
        return;
      }
      if (firstMissed < 0) {
        firstMissed = r.missed();
      }
      lastMissed = r.missed();
      lateness.add(r.latenessMs());
      inference.add(r.inferenceMs());
      publishToUse.add(r.publishToUseMs());
      swap.add(r.swapMs());
      lag.add(r.policyLag());
    });
    vertx.eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> {
      losses.add(m.body().loss()); // over the whole run: loss_first is the untrained model
      if (measuring) {
        trainSteps.incrementAndGet();
      }
    });
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED, m -> {
      if (measuring) {
        publishes.incrementAndGet();
      }
    });
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : Double.NaN;
  }
}
