package dev.ami.env;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.config.AmiConfig;
import dev.ami.config.ConfigLoader;
import dev.ami.runtime.AmiRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The whole runtime started from conf/ami.yaml plus overrides, with a small idle trainer, for system tests. */
final class RunningSystem implements AutoCloseable {
  /** The small curiosity agent whose trainers never start training: these tests are about the agent's I/O. */
  private static final List<String> LIGHT = List.of("model.preset=curiosity-small", "vae.min_buffer=5000",
      "vae.buffer=5000", "fd.min_buffer=5000", "fd.buffer=5000", "policy.rollout=5000",
      "policy.buffer=5001", "agent.realtime=false", "telemetry.log_every_s=0", "system.isolate_cpus=false",
      "console.port=0", "checkpoint.on_shutdown=false");

  final Vertx vertx = AmiRuntime.newVertx();
  final List<Event> events = new CopyOnWriteArrayList<>();
  final List<dev.ami.bus.TickRecord> ticks = new CopyOnWriteArrayList<>();
  private final AmiRuntime runtime;

  RunningSystem(String... overrides) throws Exception {
    List<String> all = new ArrayList<>(LIGHT);
    all.addAll(List.of(overrides));
    vertx.eventBus().<Event>consumer(Addresses.EVENTS, m -> events.add(m.body()));
    vertx.eventBus().<dev.ami.bus.TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> {
      if (ticks.size() < 100_000) {
        ticks.add(m.body());
      }
    });
    AmiConfig config = get(new ConfigLoader(vertx).load(null, all));
    runtime = get(AmiRuntime.start(vertx, config));
  }

  /** The agent's status JSON (ticks, source stats, ...). */
  JsonObject agentStatus() throws Exception {
    return get(vertx.eventBus().<ControlReply>request(Addresses.AGENT_CONTROL, ControlCommand.of("status")))
        .body().detail();
  }

  JsonObject command(String cmd) throws Exception {
    return get(vertx.eventBus().<ControlReply>request(Addresses.AGENT_CONTROL, ControlCommand.of(cmd)))
        .body().detail();
  }

  boolean hasEvent(String kind) {
    return events.stream().anyMatch(e -> e.kind().equals(kind));
  }

  /** Stops the runtime (agent first) and closes Vert.x; safe to call twice. */
  void stop() throws Exception {
    get(runtime.stop());
  }

  @Override
  public void close() throws Exception {
    stop();
    get(vertx.close());
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }
}
