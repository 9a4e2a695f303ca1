package dev.ami.console;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.RunState;
import dev.ami.bus.TickRecord;
import dev.ami.config.AmiConfig;
import dev.ami.control.ControlVerticle;
import dev.ami.runtime.AmiRuntime;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real control point and console with a stand-in agent and trainer on the bus: no DJL, and a test can
 * make the agent stop ticking while it still says it is running.
 */
final class FakeSystem implements AutoCloseable {
  final Vertx vertx = AmiRuntime.newVertx();
  volatile RunState agentState = RunState.RUNNING;
  volatile boolean ticking = true;
  volatile long ticks;
  private int stepsLeft;

  /** Starts everything; returns the console's port. */
  int start(Map<String, ?> config) throws Exception {
    AmiConfig c = AmiConfig.defaults().with(Map.of("console.port", 0)).with(config);
    vertx.eventBus().<ControlCommand>consumer(Addresses.AGENT_CONTROL, m -> m.reply(agent(m.body())));
    vertx.eventBus().<ControlCommand>consumer(Addresses.TRAINER_CONTROL, m -> m.reply(
        ControlReply.ok(RunState.RUNNING, new JsonObject().put("state", "running").put("steps", 5))));
    vertx.setPeriodic(100, t -> tick());
    Future<?> deployed = vertx.deployVerticle(new ControlVerticle())
        .compose(id -> vertx.deployVerticle(new ConsoleVerticle(),
            new io.vertx.core.DeploymentOptions().setConfig(c.toJson())));
    deployed.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return (Integer) vertx.sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
  }

  private ControlReply agent(ControlCommand c) {
    switch (c.cmd()) {
      case "pause" -> agentState = RunState.PAUSED;
      case "resume" -> agentState = RunState.RUNNING;
      case "step" -> {
        if (agentState != RunState.PAUSED) {
          return ControlReply.error(agentState, "step needs the system paused");
        }
        agentState = RunState.STEPPING;
        stepsLeft = c.n();
      }
      default -> { }
    }
    return ControlReply.ok(agentState, new JsonObject().put("state", agentState.wireName()).put("ticks", ticks));
  }

  private void tick() {
    if (!ticking || agentState == RunState.PAUSED) {
      return;
    }
    ticks++;
    vertx.eventBus().publish(Addresses.TELEMETRY_TICK, new TickRecord(ticks, 0.1, 1, 1,
        java.util.Map.of("vae", new dev.ami.bus.ModelTick(0, 0, 1, Double.NaN, Double.NaN)), Double.NaN, null, 0, 0,
        System.currentTimeMillis(), false, null));
    if (agentState == RunState.STEPPING && --stepsLeft == 0) {
      agentState = RunState.PAUSED;
      vertx.eventBus().publish(Addresses.EVENTS, Event.info("step-done", "stepped"));
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
