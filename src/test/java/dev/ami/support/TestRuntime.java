package dev.ami.support;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigLoader;
import dev.ami.runtime.AmiRuntime;
import dev.ami.runtime.Verticles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The whole runtime in the test's JVM (every verticle, as {@code run} deploys them), with a small, fast model and
 * a run folder under the temp directory; the test drives it over the event bus and waits on it. Classes that
 * start it are tagged {@link RuntimeTest}.
 */
public final class TestRuntime implements AutoCloseable {
  public static final long TIMEOUT_S = 60;

  /**
   * Overrides for tests about the agent's I/O: the small curiosity agent whose trainers never start training
   * (their buffers never fill), so the agent has the machine to itself.
   */
  public static final Map<String, Object> IDLE_TRAINER = Map.of("vae.min_buffer", 5000, "vae.buffer", 5000,
      "fd.min_buffer", 5000, "fd.buffer", 5000, "policy.rollout", 5000, "policy.buffer", 5001);

  private final Vertx vertx;
  private final AmiRuntime runtime;
  private final List<Event> events;

  private TestRuntime(Vertx vertx, AmiRuntime runtime, List<Event> events) {
    this.vertx = vertx;
    this.runtime = runtime;
    this.events = events;
  }

  /** {@code overrides} on top of {@code base}. */
  public static Map<String, Object> with(Map<String, ?> base, Map<String, ?> overrides) {
    Map<String, Object> all = new LinkedHashMap<>(base);
    all.putAll(overrides);
    return all;
  }

  /**
   * A Vert.x as {@code run} prepares it: a fresh run folder under the config's {@code system.runs_dir}, its
   * config.yaml written, in the local map where the verticles look for it.
   */
  public static Vertx newVertxWithRun(AmiConfig config) throws java.io.IOException {
    Vertx vertx = AmiRuntime.newVertx();
    attachRun(vertx, config);
    return vertx;
  }

  /** A fresh run folder with its config.yaml, in place on a Vert.x made elsewhere (a clustered one). */
  public static dev.ami.runs.RunFolder attachRun(Vertx vertx, AmiConfig config) throws java.io.IOException {
    dev.ami.runs.RunFolder run = dev.ami.runs.RunFolder.create(java.nio.file.Path.of(
        config.getString("system.runs_dir")), "test", java.time.Instant.now());
    dev.ami.runs.RunConfigFile.write(run, config);
    vertx.sharedData().getLocalMap(dev.ami.bus.Addresses.APP_MAP).put(dev.ami.bus.Addresses.RUN_FOLDER_KEY, run);
    return run;
  }

  /** This runtime's run folder. */
  public dev.ami.runs.RunFolder runFolder() {
    return (dev.ami.runs.RunFolder) vertx.sharedData().getLocalMap(dev.ami.bus.Addresses.APP_MAP)
        .get(dev.ami.bus.Addresses.RUN_FOLDER_KEY);
  }

  /**
   * The curiosity-small preset on noise frames, loaded the way the launcher loads it (conf/ami.yaml, the
   * model preset, the env preset, then {@code overrides}): small enough that a training step takes
   * milliseconds.
   */
  public static AmiConfig smallConfig(Map<String, ?> overrides) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model.preset", "curiosity-small");
    m.put("env", "noise");
    m.put("agent.hz", 50);
    m.put("agent.realtime", false);
    m.put("system.isolate_cpus", false); // the test JVM runs other things; leave its scheduling alone
    m.put("telemetry.log_every_s", 0);
    m.put("console.port", 0); // a free port: never clashes with a running ami or another test
    m.put("checkpoint.on_shutdown", false); // tests that want one say so
    m.put("system.runs_dir", tempDir("ami-runs").toString()); // never into the working tree
    m.putAll(overrides);
    List<String> args = new ArrayList<>();
    m.forEach((k, v) -> args.add(k + "=" + v));
    Vertx loader = Vertx.vertx();
    try {
      return new ConfigLoader(loader).load(null, args).toCompletionStage().toCompletableFuture()
          .get(TIMEOUT_S, TimeUnit.SECONDS);
    } catch (ExecutionException | InterruptedException | TimeoutException e) {
      throw new IllegalStateException("test config did not load: " + e, e);
    } finally {
      loader.close();
    }
  }

  /** A fresh temporary directory, deleted with the JVM's temp files by the OS, never in the working tree. */
  public static java.nio.file.Path tempDir(String prefix) {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
      TEMP_DIRS.add(dir);
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Made by {@link #tempDir}; deleted when the test JVM exits (run folders hold checkpoints: suites filled /tmp). */
  private static final java.util.Queue<java.nio.file.Path> TEMP_DIRS = tempDirsDeletedAtExit();

  private static java.util.Queue<java.nio.file.Path> tempDirsDeletedAtExit() {
    java.util.Queue<java.nio.file.Path> dirs = new java.util.concurrent.ConcurrentLinkedQueue<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> dirs.forEach(TestRuntime::deleteTree), "test-temp-cleanup"));
    return dirs;
  }

  private static void deleteTree(java.nio.file.Path root) {
    try (java.util.stream.Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      // best effort: a folder a child JVM still writes into may refuse; the OS's tmp cleaning takes the rest
    }
  }

  /** The runtime with {@link #smallConfig} and {@code overrides}. */
  public static TestRuntime start(Map<String, ?> overrides) throws Exception {
    return start(overrides, Verticles.trainer());
  }

  /** The same with a trainer verticle of the test's own (e.g. one whose trainers fail on purpose). */
  public static TestRuntime start(Map<String, ?> overrides, dev.ami.training.TrainerVerticle trainer) throws Exception {
    return boot(overrides, (vertx, config) -> AmiRuntime.start(vertx, config, trainer));
  }

  /** The same with an agent verticle of the test's own (e.g. one whose brain fails on purpose). */
  public static TestRuntime startWithAgent(Map<String, ?> overrides,
                                          java.util.function.Supplier<dev.ami.agent.AgentVerticle> agents)
      throws Exception {
    return boot(overrides, (vertx, config) -> AmiRuntime.start(vertx, config, Verticles.trainer(),
        null, agents));
  }

  /** The runtime started as {@code run --resume what} starts it: the checkpoint's content in place first. */
  public static TestRuntime startResumed(Map<String, ?> overrides, String what) throws Exception {
    return boot(overrides, (vertx, config) -> {
      AmiRuntime.configureEngine(config);
      dev.ami.checkpoint.Resume.prepare(vertx, config, what); // a refusal is thrown as it is
      return AmiRuntime.start(vertx, config);
    });
  }

  /** How a test starts the runtime on the Vert.x and config {@link #boot} made. */
  private interface Starter {
    Future<AmiRuntime> start(Vertx vertx, AmiConfig config) throws Exception;
  }

  /** Starts the runtime on a fresh Vert.x with a run folder; its events are recorded from the first one on. */
  private static TestRuntime boot(Map<String, ?> overrides, Starter start) throws Exception {
    AmiConfig config = smallConfig(overrides);
    Vertx vertx = newVertxWithRun(config);
    List<Event> events = new CopyOnWriteArrayList<>();
    vertx.eventBus().<Event>consumer(Addresses.EVENTS, m -> events.add(m.body()));
    try {
      return new TestRuntime(vertx, await(start.start(vertx, config)), events);
    } catch (Exception | Error e) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      throw e;
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public AmiRuntime runtime() {
    return runtime;
  }

  /** Sends an operator command on the system's control address and waits for the reply. */
  public ControlReply control(String cmd, int n) throws Exception {
    return await(vertx.eventBus().<ControlReply>request(Addresses.CONTROL, new ControlCommand(cmd, n))
        .map(m -> m.body()));
  }

  /** The system's status detail (ticks, models, agent, trainer, ...), as the control point reports it. */
  public JsonObject status() throws Exception {
    return control("status", 0).detail();
  }

  /** The agent's own answer to {@code cmd} (its status: ticks, source stats, ...), past the control point. */
  public JsonObject agentCommand(String cmd) throws Exception {
    return await(vertx.eventBus().<ControlReply>request(Addresses.AGENT_CONTROL, ControlCommand.of(cmd))).body()
        .detail();
  }

  /** The agent's tick count. */
  public long ticks() throws Exception {
    return status().getLong("ticks");
  }

  /** Waits until the agent has ticked {@code ticks} times in all. */
  public void awaitTicks(long ticks) throws Exception {
    Await.until(Await.MINUTE, () -> ticks() >= ticks, () -> "the agent reaches tick " + ticks);
  }

  /** Every event the system published since it started, in order. */
  public List<Event> events() {
    return events;
  }

  public boolean hasEvent(String kind) {
    return events.stream().anyMatch(e -> e.kind().equals(kind));
  }

  /** Stops the runtime (agent first: actuators neutral) and leaves Vert.x open; {@link #close()} after is safe. */
  public void stop() throws Exception {
    await(runtime.stop());
  }

  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  public static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    AmiRuntime.stopAndClose(runtime, vertx, TIMEOUT_S);
  }
}
