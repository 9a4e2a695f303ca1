package dev.ami.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.params.SnapshotCodecs;
import dev.ami.bus.Addresses;
import dev.ami.bus.Codecs;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.RunState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class ControlVerticleTest {
  private static Future<RunState> status(Vertx vertx) {
    return vertx.eventBus().<ControlReply>request(Addresses.CONTROL, ControlCommand.of("status"),
        new DeliveryOptions().setSendTimeout(60_000)).map(m -> m.body().state());
  }

  @Test
  @DisplayName("no agent yet: starting; an agent that answered and is gone: stopping; failed only when it says so")
  void absentAgentIsStartingThenStopping(Vertx vertx, VertxTestContext ctx) {
    Codecs.registerAll(vertx.eventBus(), SnapshotCodecs.ALL);
    AtomicReference<MessageConsumer<ControlCommand>> agent = new AtomicReference<>();
    vertx.deployVerticle(new ControlVerticle())
        .compose(id -> status(vertx))
        .map(state -> {
          assertThat(state).as("before any agent answered").isEqualTo(RunState.STARTING);
          agent.set(vertx.eventBus().consumer(Addresses.AGENT_CONTROL, m -> m.reply(ControlReply.ok(RunState.RUNNING,
              new JsonObject().put("state", "running").put("ticks", 5)))));
          return null;
        })
        .compose(v -> status(vertx))
        .map(state -> {
          assertThat(state).as("the agent answers").isEqualTo(RunState.RUNNING);
          return null;
        })
        .compose(v -> agent.get().unregister())
        .compose(v -> status(vertx))
        .map(state -> {
          assertThat(state).as("the agent that answered is gone").isEqualTo(RunState.STOPPING);
          return null;
        })
        .onComplete(ctx.succeedingThenComplete());
  }
}
