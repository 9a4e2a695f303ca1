package dev.ami.support;

import dev.ami.app.AmiRuntime;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.config.AmiConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Starts the real runtime with a small, fast model for tests, and helps waiting on it. */
public final class TestRuntime implements AutoCloseable {
  public static final long TIMEOUT_S = 60;

  private final Vertx vertx;
  private final AmiRuntime runtime;

  private TestRuntime(Vertx vertx, AmiRuntime runtime) {
    this.vertx = vertx;
    this.runtime = runtime;
  }

  /** A config small enough that a training step takes milliseconds; {@code overrides} win. */
  public static AmiConfig smallConfig(Map<String, ?> overrides) {
    Map<String, Object> m = new HashMap<>();
    m.put("env", "noise");
    m.put("agent.hz", 50);
    m.put("agent.realtime", false);
    m.put("system.isolate_cpus", false); // the test JVM runs other things; leave its scheduling alone
    m.put("model.input_size", 32);
    m.put("model.channels", 8);
    m.put("model.latent", 32);
    m.put("trainer.batch", 8);
    m.put("trainer.min_replay", 8);
    m.put("trainer.publish_every", 2);
    m.put("telemetry.log_every_s", 0);
    m.put("console.port", 0); // a free port: never clashes with a running ami or another test
    m.putAll(overrides);
    return AmiConfig.defaults().with(m);
  }

  public static TestRuntime start(Map<String, ?> overrides) throws Exception {
    Vertx vertx = AmiRuntime.newVertx();
    AmiRuntime runtime = await(AmiRuntime.start(vertx, smallConfig(overrides)));
    return new TestRuntime(vertx, runtime);
  }

  public Vertx vertx() {
    return vertx;
  }

  public AmiRuntime runtime() {
    return runtime;
  }

  /** Sends an operator command on the system's control address and waits for the reply. */
  public ControlReply control(String cmd, int n) throws Exception {
    return await(vertx.eventBus().<ControlReply>request(dev.ami.bus.Addresses.CONTROL, new ControlCommand(cmd, n))
        .map(m -> m.body()));
  }

  public static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  public static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    await(runtime.stop().compose(v -> vertx.close()));
  }
}
