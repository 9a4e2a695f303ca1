package dev.ami.app;

import dev.ami.bus.Addresses;
import dev.ami.bus.ModelTick;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.SnapshotOffer;
import dev.ami.bus.TickRecord;
import dev.ami.cluster.ClusterOptions;
import dev.ami.cluster.ClusterRuntime;
import dev.ami.cluster.FreePort;
import dev.ami.telemetry.Samples;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --cluster}: this JVM is the agent node, a child JVM the trainer node, on loopback. Measures, on the
 * wall clock both share, publish (trainer JVM) to first tick using it (agent JVM), the bytes of one publish of
 * every model, the wire throughput of a snapshot's fetch, and the steps dropped while no trainer was alive.
 */
final class ClusterBench {
  private static final String NAME = "ami-bench-" + ProcessHandle.current().pid();
  private final int agentPort = FreePort.find();
  private final int trainerPort = FreePort.find();

  private final Samples publishToUse = new Samples();
  private final Samples throughput = new Samples();
  private final Map<String, Long> publishedAtMicros = new HashMap<>(); // key@version → trainer's wall time
  private final Map<String, Long> offeredAt = new HashMap<>();          // key@version → offer's wall time
  private final Map<String, Long> offerBytes = new HashMap<>();         // key → bytes of its last fetched snapshot
  private final Map<String, Long> lastUsed = new HashMap<>();
  private volatile boolean measuring;
  private Process trainer;

  ClusterOptions agentNode() {
    return ClusterOptions.of("agent", List.of("127.0.0.1:" + trainerPort), "127.0.0.1", agentPort, 0, NAME);
  }

  /** Starts the trainer node with the same overrides; its log goes to {@code ami-trainer-node.log} in the temp directory. */
  void startTrainer(List<String> overrides) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
        "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
        "--cluster", "--role", "trainer", "--members", "127.0.0.1:" + agentPort, "--port",
        String.valueOf(trainerPort), "--cluster-name", NAME));
    command.addAll(BenchCommand.BENCH_DEFAULTS);
    command.addAll(overrides);
    trainer = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "ami-trainer-node.log")).start();
  }

  void stopTrainer() throws InterruptedException {
    if (trainer != null) {
      trainer.destroy(); // SIGTERM: its graceful shutdown
      if (!trainer.waitFor(60, TimeUnit.SECONDS)) {
        trainer.destroyForcibly();
      }
    }
  }

  void measuring(boolean on) {
    measuring = on;
  }

  private io.vertx.core.shareddata.LocalMap<String, Long> fetched;

  void listen(Vertx vertx) {
    fetched = vertx.sharedData().getLocalMap(ClusterRuntime.FETCHED_BYTES_MAP);
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED, m -> onPublished(m.body()));
    vertx.eventBus().<SnapshotOffer>consumer(Addresses.SNAPSHOT_OFFERS, m -> onOffer(m.body()));
    vertx.eventBus().<TickRecord>localConsumer(Addresses.TELEMETRY_TICK, m -> onTick(m.body()));
  }

  private synchronized void onPublished(ParamsPublished p) {
    String id = p.key() + "@" + p.version();
    if (!p.sameJvm()) {
      publishedAtMicros.put(id, p.publishedWallMicros()); // the trainer's own publish
    } else if (offeredAt.containsKey(id) && fetched.get(p.key()) != null) {
      // the mirror's local announce: offer seen → snapshot in this node's map (encode, fetch and decode)
      long bytes = fetched.get(p.key());
      offerBytes.put(p.key(), bytes);
      if (measuring) {
        double s = Math.max(1e-3, (p.publishedWallMicros() / 1000.0 - offeredAt.get(id)) / 1000.0);
        throughput.add(bytes / 1e6 / s);
      }
    }
  }

  private synchronized void onOffer(SnapshotOffer o) {
    offeredAt.putIfAbsent(o.key() + "@" + o.version(), o.wallMillis());
  }

  private synchronized void onTick(TickRecord r) {
    for (Map.Entry<String, ModelTick> e : r.models().entrySet()) {
      long v = e.getValue().versionUsed();
      Long before = lastUsed.put(e.getKey(), v);
      if (before != null && v > before && measuring) {
        Long published = publishedAtMicros.get(e.getKey() + "@" + v);
        if (published != null) {
          publishToUse.add(r.wallMillis() - published / 1000.0);
        }
      }
    }
    if (publishedAtMicros.size() > 10_000) {
      publishedAtMicros.clear();
      offeredAt.clear();
    }
  }

  synchronized void addTo(JsonObject out) {
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    Counter dropped = registry == null ? null : registry.find("ami.cluster.transitions.dropped").counter();
    out.put("cluster", true)
        .put("cluster_publish_to_use_p50_ms", BenchCommand.round(publishToUse.percentile(50)))
        .put("cluster_publish_to_use_p99_ms", BenchCommand.round(publishToUse.percentile(99)))
        .put("cluster_publishes_used", publishToUse.count())
        .put("snapshot_mb", BenchCommand.round(offerBytes.values().stream().mapToLong(Long::longValue).sum() / 1e6))
        .put("snapshot_mb_per_s", BenchCommand.round(throughput.percentile(50)))
        .put("transitions_dropped", dropped == null ? null : Math.round(dropped.count()));
  }
}
