package dev.ami.bench;

import dev.ami.bus.Addresses;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.config.AmiConfig;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.ConfigOptions;
import dev.ami.runtime.ExitCodes;
import dev.ami.telemetry.NativeMemory;
import dev.ami.telemetry.ProcessMemory;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Memory over a long run: the default system, sampled every {@code --sample-s}: resident size, Java heap (used,
 * used after the last collection, committed), direct buffers, the C heap (glibc's malloc, where libtorch's
 * tensors live) and the JVM's own native memory (NMT, when the JVM runs with
 * {@code -XX:NativeMemoryTracking=summary}). The last line is one JSON object with each series' least-squares
 * slope after the warm-up, in MB per hour.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
    description = "Run the system for a long time and report how each kind of memory grows (MB per hour).")
public final class SoakCommand implements Callable<Integer> {
  static final List<String> DEFAULTS = List.of("console.port=0", "checkpoint.on_shutdown=false",
      "checkpoint.interval=0");

  @Option(names = "--minutes", defaultValue = "60", description = "how long to run")
  int minutes;

  @Option(names = "--warmup-minutes", defaultValue = "10",
      description = "samples before this are shown but not fitted (buffers filling, JIT, heap sizing)")
  int warmupMinutes;

  @Option(names = "--sample-s", defaultValue = "30", description = "seconds between samples")
  int sampleSeconds;

  @Mixin
  ConfigOptions options = new ConfigOptions();

  private final AtomicLong ticks = new AtomicLong();
  private final AtomicLong steps = new AtomicLong();

  @Override
  public Integer call() throws Exception {
    Vertx vertx = AmiRuntime.newVertx();
    AmiConfig config = options.loadForRuntime(vertx, DEFAULTS);
    if (config == null) {
      return ExitCodes.CONFIG;
    }
    if (minutes < 1 || warmupMinutes < 0 || warmupMinutes >= minutes || sampleSeconds < 1) {
      System.err.println("ami: need --minutes >= 1, 0 <= --warmup-minutes < --minutes, --sample-s >= 1");
      vertx.close();
      return ExitCodes.CONFIG;
    }
    MeasurementFolder.ifAsked(vertx, config, "soak");
    AmiRuntime runtime = AmiRuntime.start(vertx, config).toCompletionStage().toCompletableFuture()
        .get(120, TimeUnit.SECONDS);
    vertx.runOnContext(v -> {
      vertx.eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> ticks.incrementAndGet());
      vertx.eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> steps.incrementAndGet());
    });
    Map<String, DoubleSupplier> series = probes();
    Map<String, List<double[]>> samples = new LinkedHashMap<>();
    series.keySet().forEach(k -> samples.put(k, new ArrayList<>()));
    JsonArray rows = new JsonArray();
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.MINUTES.toNanos(minutes);
    for (long next = t0; next <= end; next += TimeUnit.SECONDS.toNanos(sampleSeconds)) {
      Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - System.nanoTime())));
      double minute = (System.nanoTime() - t0) / 60e9;
      JsonObject row = new JsonObject().put("minute", BenchCommand.round(minute)).put("ticks", ticks.get())
          .put("trainer_steps", steps.get());
      series.forEach((name, probe) -> {
        double v = probe.getAsDouble();
        row.put(name, BenchCommand.round(v));
        if (Double.isFinite(v)) {
          samples.get(name).add(new double[] {minute, v});
        }
      });
      rows.add(row);
      System.err.println("soak: " + row.encode());
    }
    AmiRuntime.stopAndClose(runtime, vertx, 60);
    JsonObject out = new JsonObject().put("minutes", minutes).put("warmup_minutes", warmupMinutes)
        .put("ticks", ticks.get()).put("trainer_steps", steps.get());
    samples.forEach((name, points) -> {
      List<double[]> fitted = points.stream().filter(p -> p[0] >= warmupMinutes).toList();
      out.put(name + "_per_hour", BenchCommand.round(slopePerHour(fitted)));
      out.put(name + "_start", points.isEmpty() ? null : BenchCommand.round(points.get(0)[1]));
      out.put(name + "_end", points.isEmpty() ? null : BenchCommand.round(points.get(points.size() - 1)[1]));
    });
    out.put("samples", rows);
    System.out.println(out.encode());
    return 0;
  }

  /** What is sampled, by the name the JSON uses; a probe that cannot read returns NaN. */
  private static Map<String, DoubleSupplier> probes() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Map<String, DoubleSupplier> p = new LinkedHashMap<>();
    p.put("rss_mb", ProcessMemory::rssMiB);
    p.put("heap_used_mb", () -> memory.getHeapMemoryUsage().getUsed() / 1048576.0);
    p.put("heap_after_gc_mb", SoakCommand::heapAfterLastCollection);
    p.put("heap_committed_mb", () -> memory.getHeapMemoryUsage().getCommitted() / 1048576.0);
    p.put("direct_mb", SoakCommand::directBuffers);
    p.put("native_mb", NativeMemory::mallocMiB);
    p.put("nmt_mb", NativeMemory::jvmCommittedMiB);
    return p;
  }

  /** Heap in use right after each pool's last collection: the live set, without the garbage between GCs. */
  private static double heapAfterLastCollection() {
    long total = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        total += pool.getCollectionUsage().getUsed();
      }
    }
    return total / 1048576.0;
  }

  private static double directBuffers() {
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        return pool.getMemoryUsed() / 1048576.0;
      }
    }
    return Double.NaN;
  }

  /** Least-squares slope of (minute, MB) points, in MB per hour; NaN with fewer than two points. */
  static double slopePerHour(List<double[]> points) {
    int n = points.size();
    if (n < 2) {
      return Double.NaN;
    }
    double mx = 0;
    double my = 0;
    for (double[] p : points) {
      mx += p[0];
      my += p[1];
    }
    mx /= n;
    my /= n;
    double sxy = 0;
    double sxx = 0;
    for (double[] p : points) {
      sxy += (p[0] - mx) * (p[1] - my);
      sxx += (p[0] - mx) * (p[0] - mx);
    }
    return sxx == 0 ? Double.NaN : sxy / sxx * 60;
  }
}
