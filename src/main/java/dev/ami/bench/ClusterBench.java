package dev.ami.bench;

import dev.ami.bus.Addresses;
import dev.ami.bus.ModelTick;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.SnapshotOffer;
import dev.ami.bus.TickRecord;
import dev.ami.cluster.ClusterOptions;
import dev.ami.cluster.ClusterRuntime;
import dev.ami.system.FreePort;
import dev.ami.system.HeapSizing;
import dev.ami.telemetry.Samples;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.micrometer.backends.BackendRegistries;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

/**
 * {@code bench --cluster}: this JVM is the agent node, a child JVM the trainer node, on loopback. Measures, on the
 * wall clock both share, publish (trainer JVM) to the start of the first tick using it (agent JVM: where it swaps
 * the version in, as one JVM's publish_to_use), the bytes of one publish of
 * every model, the wire throughput of a snapshot's fetch, and the steps dropped while no trainer was alive.
 */
final class ClusterBench {
  /** The launcher the trainer child runs: named, not imported, since the launcher sits above the benchmarks. */
  private static final String LAUNCHER = "dev.ami.app.Main";

  private static final String NAME = "ami-bench-" + ProcessHandle.current().pid();
  private final int agentPort = FreePort.find();
  private final int trainerPort = FreePort.find();
  /** The trainer JVM's flags: as given, or {@link #trainerFlags} of this JVM's. */
  private final List<String> trainerJvm;

  /** @param trainerJvm the trainer JVM's flags, or null for {@link #trainerFlags} of this JVM's */
  ClusterBench(List<String> trainerJvm) {
    this.trainerJvm = trainerJvm != null ? List.copyOf(trainerJvm) : trainerFlags(allJvmFlags(), jvmFlags());
  }

  List<String> trainerJvm() {
    return trainerJvm;
  }

  private final Samples wireThroughput = new Samples();
  private final Samples fetchThroughput = new Samples();
  private final Map<String, Long> publishedAtMicros = new HashMap<>(); // key@version → trainer's wall time
  private final Map<String, Long> offeredAt = new HashMap<>();          // key@version → offer's wall time
  private final Map<String, Long> offerBytes = new HashMap<>();         // key → bytes of its last fetched snapshot
  private final Map<String, Long> lastUsed = new HashMap<>();
  private final Map<String, Long> mirroredAtMicros = new HashMap<>(); // key@version → in this node's map
  private final Map<String, JsonObject> traces = new HashMap<>();      // key@version → its fetch, stage by stage
  private final List<Use> used = new ArrayList<>();                    // each measured publish → use
  private final Samples warmupUses = new Samples();                    // publish → use before the first phase
  private final Map<String, Long> firstFromTrainer = new HashMap<>();  // key → the trainer's first version in use
  private volatile boolean measuring;
  private volatile boolean measuredOnce;
  private final CompletableFuture<Void> trainedInUse = new CompletableFuture<>();
  private Process trainer;

  /**
   * One measured publish → first tick using it, on the shared wall clock, and where it went: the offer leaving
   * the trainer JVM, the fetch, the agent's take-up (those three null when the offer or the mirror's announce
   * was not seen), and the fetch's stages as the mirror traced them.
   */
  private record Use(String model, long version, long usedAtMs, double ms, Double toOffer, Double fetch,
                     Double toUse, JsonObject trace) {
    JsonObject toJson() {
      return new JsonObject().put("model", model).put("version", version).put("used_at_ms", usedAtMs)
          .put("ms", BenchCommand.round(ms)).put("publish_to_offer", round(toOffer))
          .put("queued", nsToMs(trace, "queued_ns")).put("meta", nsToMs(trace, "meta_ns"))
          .put("chunks", nsToMs(trace, "chunks_ns")).put("decode", nsToMs(trace, "decode_ns"))
          .put("decode_wait", nsToMs(trace, "decode_wait_ns")).put("decode_run", nsToMs(trace, "decode_run_ns"))
          .put("decode_faults", trace.getLong("decode_faults"))
          .put("offer_to_mirrored", round(fetch)).put("mirrored_to_use", round(toUse));
    }
  }

  ClusterOptions agentNode() {
    return ClusterOptions.of("agent", List.of("127.0.0.1:" + trainerPort), "127.0.0.1", agentPort, 0, NAME);
  }

  /**
   * The trainer JVM's flags: the heap docs/clustering.md recommends for a trainer node ({@link HeapSizing}: fixed
   * and touched at start, -Xms never above a maximum given) where this JVM's own flags (command line or
   * JAVA_TOOL_OPTIONS, which the child inherits) do not set their own; then {@code inherited}, this JVM's
   * command-line flags. Grown on demand, G1 expanded the trainer's heap while the buffers filled, and every
   * allocation then faulted in fresh pages for seconds (CPU 0 at 80 % system time), which slowed each snapshot
   * served meanwhile to 300–500 ms. Not for the agent node: there its young pauses, which stop the agent thread,
   * grew longer.
   */
  static List<String> trainerFlags(List<String> all, List<String> inherited) {
    List<String> out = new ArrayList<>();
    if (all.stream().noneMatch(a -> a.startsWith("-Xms") || a.startsWith("-XX:InitialHeapSize"))) {
      long max = all.stream().filter(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxHeapSize="))
          .map(a -> bytes(a.substring(a.startsWith("-Xmx") ? 4 : "-XX:MaxHeapSize=".length())))
          .reduce((a, b) -> b).orElse(Long.MAX_VALUE);
      out.add(HeapSizing.initialHeap(max));
    }
    if (all.stream().noneMatch(a -> a.endsWith("AlwaysPreTouch"))) {
      out.add(HeapSizing.PRE_TOUCH);
    }
    out.addAll(inherited);
    return out;
  }

  /** A JVM size such as 512m, 2g or 1048576 in bytes. */
  static long bytes(String size) {
    String s = size.trim().toLowerCase(java.util.Locale.ROOT);
    int shift = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
      case 'k' -> 10;
      case 'm' -> 20;
      case 'g' -> 30;
      case 't' -> 40;
      default -> 0;
    };
    return Long.parseLong(shift == 0 ? s : s.substring(0, s.length() - 1)) << shift;
  }

  /** This JVM's flags: its command line's and those JAVA_TOOL_OPTIONS added (the JVM lists both). */
  static List<String> allJvmFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments();
  }

  /**
   * Starts the trainer node with its flags (given, or {@link #trainerFlags}) and the same overrides; its log
   * goes to {@code ami-trainer-node.log} in the temp directory.
   */
  void startTrainer(List<String> overrides) throws IOException {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
    command.addAll(trainerJvm);
    command.addAll(List.of("-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
        LAUNCHER, "run", "--cluster", "--role", "trainer", "--members", "127.0.0.1:" + agentPort, "--port",
        String.valueOf(trainerPort), "--cluster-name", NAME));
    command.addAll(BenchCommand.BENCH_DEFAULTS);
    command.addAll(overrides);
    trainer = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(new File(System.getProperty("java.io.tmpdir"), "ami-trainer-node.log")).start();
  }

  /**
   * This JVM's own flags (heap, GC, logging: {@code java -XX:+UseZGC -jar ami.jar bench --cluster} sets both
   * nodes), without those the environment's JAVA_TOOL_OPTIONS adds (the child inherits the environment).
   */
  static List<String> jvmFlags() {
    String tool = System.getenv().getOrDefault("JAVA_TOOL_OPTIONS", "");
    List<String> fromEnvironment = List.of(tool.trim().split("\\s+"));
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-X") || a.startsWith("-D"))
        .filter(a -> !fromEnvironment.contains(a))
        .toList();
  }

  void stopTrainer() throws InterruptedException {
    if (trainer != null) {
      trainer.destroy(); // SIGTERM: its graceful shutdown
      if (!trainer.waitFor(60, TimeUnit.SECONDS)) {
        trainer.destroyForcibly();
      }
    }
  }

  /**
   * Waits until the agent acts on a snapshot of every model that the trainer node trained (a version after the
   * first one of it in use, which the trainer node starts from): the warm-up starts then. So neither the first
   * fetches (every model at once while the trainer JVM still starts) nor the first trained versions (training
   * starts only once the buffers hold a batch, 10–15 s later, while both JVMs compile the training and snapshot
   * code) are measured, as the first publishes are not in one JVM. Their publish → use is reported apart.
   * Returns the seconds waited.
   */
  double awaitTrainedInUse(int seconds) throws Exception {
    long t0 = System.nanoTime();
    trainedInUse.get(seconds, TimeUnit.SECONDS);
    return (System.nanoTime() - t0) / 1e9;
  }

  void measuring(boolean on) {
    measuring = on;
    measuredOnce |= on;
  }

  private LocalMap<String, JsonObject> fetched;

  void listen(Vertx vertx) {
    fetched = vertx.sharedData().getLocalMap(ClusterRuntime.FETCHED_MAP);
    vertx.eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED, m -> onPublished(m.body()));
    vertx.eventBus().<SnapshotOffer>consumer(Addresses.SNAPSHOT_OFFERS, m -> onOffer(m.body()));
    vertx.eventBus().<TickRecord>localConsumer(Addresses.TELEMETRY_TICK, m -> onTick(m.body()));
  }

  private synchronized void onPublished(ParamsPublished p) {
    String id = p.key() + "@" + p.version();
    if (!p.sameJvm()) {
      publishedAtMicros.put(id, p.publishedWallMicros()); // the trainer's own publish
    } else if (offeredAt.containsKey(id) && fetched.get(p.key()) != null
        && fetched.get(p.key()).getLong("version") == p.version()) {
      // the mirror's local announce: the snapshot is in this node's map
      mirroredAtMicros.put(id, p.publishedWallMicros());
      JsonObject f = fetched.get(p.key());
      traces.put(id, f);
      long bytes = f.getLong("bytes");
      offerBytes.put(p.key(), bytes);
      if (measuring) {
        // on the wire: first chunk asked for → last chunk here
        wireThroughput.add(bytes / 1e6 / Math.max(1e-6, f.getLong("chunks_ns", 0L) / 1e9));
        // the whole fetch: offer made → decoded in the map (encode, wire, decode)
        double s = Math.max(1e-3, (p.publishedWallMicros() / 1000.0 - offeredAt.get(id)) / 1000.0);
        fetchThroughput.add(bytes / 1e6 / s);
      }
    }
  }

  private synchronized void onOffer(SnapshotOffer o) {
    offeredAt.putIfAbsent(o.key() + "@" + o.version(), o.wallMillis());
  }

  private synchronized void onTick(TickRecord r) {
    if (!trainedInUse.isDone() && !r.models().isEmpty()) {
      r.models().forEach((key, m) -> {
        if (publishedAtMicros.containsKey(key + "@" + m.versionUsed())) {
          firstFromTrainer.putIfAbsent(key, m.versionUsed());
        }
      });
      if (r.models().entrySet().stream().allMatch(e -> firstFromTrainer.containsKey(e.getKey())
          && e.getValue().versionUsed() > firstFromTrainer.get(e.getKey()))) {
        trainedInUse.complete(null);
      }
    }
    for (Map.Entry<String, ModelTick> e : r.models().entrySet()) {
      long v = e.getValue().versionUsed();
      Long before = lastUsed.put(e.getKey(), v);
      Long published = publishedAtMicros.get(e.getKey() + "@" + v);
      if (before == null || v <= before || published == null) {
        continue; // not a newly swapped-in version of the trainer's
      }
      // the tick's start, where it swapped the version in: one JVM's publish_to_use ends there too
      double swappedMs = r.wallMillis() - r.durationMs();
      double publishedMs = published / 1000.0;
      if (!measuring && !measuredOnce) {
        warmupUses.add(swappedMs - publishedMs);
      } else if (measuring) {
        String id = e.getKey() + "@" + v;
        Long offered = offeredAt.get(id);
        Long mirrored = mirroredAtMicros.get(id);
        boolean split = offered != null && mirrored != null;
        used.add(new Use(e.getKey(), v, Math.round(swappedMs), swappedMs - publishedMs,
            split ? offered - publishedMs : null, split ? mirrored / 1000.0 - offered : null,
            split ? swappedMs - mirrored / 1000.0 : null, traces.getOrDefault(id, new JsonObject())));
      }
    }
    if (publishedAtMicros.size() > 10_000) {
      publishedAtMicros.clear();
      offeredAt.clear();
      mirroredAtMicros.clear();
      traces.clear();
    }
  }

  private static Double round(Double ms) {
    return ms == null ? null : BenchCommand.round(ms);
  }

  private static Double nsToMs(JsonObject trace, String field) {
    Long ns = trace.getLong(field);
    return ns == null ? null : BenchCommand.round(ns / 1e6);
  }

  /**
   * The slowest 2 % of the measured publish → use (at least three), each split into its stages and stamped with
   * the wall time of the tick that used it (to lay over a GC log).
   */
  private JsonArray slowest() {
    List<Use> sorted = new ArrayList<>(used);
    sorted.sort((a, b) -> Double.compare(b.ms(), a.ms()));
    return new JsonArray(sorted.subList(0, Math.min(sorted.size(), Math.max(3, sorted.size() / 50))).stream()
        .map(Use::toJson).toList());
  }

  private Samples samples(Predicate<Use> which, ToDoubleFunction<Use> value) {
    Samples out = new Samples();
    used.stream().filter(which).mapToDouble(value).forEach(out::add);
    return out;
  }

  /**
   * p50/p99 of each segment of publish → use and per model, then the mirror's stage timers (their percentiles
   * over Micrometer's window, the last two minutes).
   */
  private JsonObject stages(MeterRegistry registry) {
    JsonObject out = new JsonObject();
    Map<String, ToDoubleFunction<Use>> segments = new LinkedHashMap<>();
    segments.put("publish_to_offer", Use::toOffer);
    segments.put("offer_to_mirrored", Use::fetch);
    segments.put("mirrored_to_use", Use::toUse);
    segments.forEach((name, value) -> out.put(name, p50p99(samples(u -> u.toOffer() != null, value))));
    new TreeSet<>(used.stream().map(Use::model).toList()).forEach(key ->
        out.put("publish_to_use_" + key, p50p99(samples(u -> u.model().equals(key), Use::ms))));
    if (registry != null) {
      for (Timer t : registry.find("ami.cluster.snapshot.stage").timers()) {
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        for (ValueAtPercentile v : t.takeSnapshot().percentileValues()) {
          if (v.percentile() == 0.5) {
            p50 = v.value(TimeUnit.MILLISECONDS);
          } else if (v.percentile() == 0.99) {
            p99 = v.value(TimeUnit.MILLISECONDS);
          }
        }
        out.put("mirror_" + t.getId().getTag("stage"), p50p99(p50, p99).put("count", t.count())
            .put("max", BenchCommand.round(t.max(TimeUnit.MILLISECONDS))));
      }
    }
    return out;
  }

  private static JsonObject p50p99(Samples s) {
    return p50p99(s.percentile(50), s.percentile(99));
  }

  private static JsonObject p50p99(double p50, double p99) {
    return new JsonObject().put("p50", BenchCommand.round(p50)).put("p99", BenchCommand.round(p99));
  }

  /**
   * The cluster keys. The target is the issue's: one tick plus the transfer of one publish of every model at the
   * wire speed measured here.
   */
  synchronized void addTo(JsonObject out, int hz) {
    double snapshotMb = offerBytes.values().stream().mapToLong(Long::longValue).sum() / 1e6;
    double wireMbPerS = wireThroughput.percentile(50);
    Samples publishToUse = samples(u -> true, Use::ms);
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    Counter dropped = registry == null ? null : registry.find("ami.cluster.transitions.dropped").counter();
    out.put("cluster", true)
        .put("cluster_trainer_jvm_flags", new JsonArray(trainerJvm))
        .put("cluster_publish_to_use_p50_ms", BenchCommand.round(publishToUse.percentile(50)))
        .put("cluster_publish_to_use_p99_ms", BenchCommand.round(publishToUse.percentile(99)))
        .put("cluster_publishes_used", publishToUse.count())
        .put("snapshot_mb", BenchCommand.round(snapshotMb))
        .put("snapshot_mb_per_s", BenchCommand.round(wireMbPerS))
        .put("snapshot_fetch_mb_per_s", BenchCommand.round(fetchThroughput.percentile(50)))
        .put("cluster_warmup_publish_to_use_max_ms", warmupUses.count() == 0 ? null
            : BenchCommand.round(warmupUses.percentile(100)))
        .put("cluster_warmup_publishes_used", warmupUses.count())
        .put("cluster_publish_to_use_target_ms", BenchCommand.round(1000.0 / hz + snapshotMb / wireMbPerS * 1000))
        .put("transitions_dropped", dropped == null ? null : Math.round(dropped.count()))
        .put("cluster_stages_ms", stages(registry))
        .put("cluster_slowest", slowest());
  }
}
