package dev.ami.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.RunState;
import dev.ami.runtime.AmiRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ControlVerticleTest {
  private static ControlReply status(Vertx vertx) throws Exception {
    return vertx.eventBus().<ControlReply>request(Addresses.CONTROL, ControlCommand.of("status"),
        new DeliveryOptions().setSendTimeout(60_000)).map(m -> m.body()).toCompletionStage().toCompletableFuture()
        .get(90, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("no agent yet: starting; an agent that answered and is gone: stopping; failed only when it says so")
  void absentAgentIsStartingThenStopping() throws Exception {
    Vertx vertx = AmiRuntime.newVertx();
    try {
      vertx.deployVerticle(new ControlVerticle()).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertThat(status(vertx).state()).isEqualTo(RunState.STARTING);
      MessageConsumer<ControlCommand> agent = vertx.eventBus().consumer(Addresses.AGENT_CONTROL,
          m -> m.reply(ControlReply.ok(RunState.RUNNING, new JsonObject().put("state", "running").put("ticks", 5))));
      assertThat(status(vertx).state()).isEqualTo(RunState.RUNNING);
      agent.unregister().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(status(vertx).state()).isEqualTo(RunState.STOPPING);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
