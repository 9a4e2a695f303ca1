package dev.ami.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.RunState;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What reaches the bus is not always what the console would send (in a cluster, any node can send): a command
 * without a name, an unknown one, a redeploy with arguments of the wrong type. Each gets an error reply; the agent
 * keeps ticking and a later request is not refused as "already running".
 */
@DisplayName("malformed control messages get an error reply; the system runs on")
@RuntimeTest
class MalformedCommandsTest {

  @Test
  @DisplayName("a null command, an unknown one, a redeploy of the wrong shape: errors, and the agent keeps ticking")
  void errorsNotCrashes() throws Exception {
    try (TestRuntime rt = TestRuntime.start(Map.of("env", "noise"))) {
      for (String address : new String[] {Addresses.AGENT_CONTROL, Addresses.TRAINER_CONTROL}) {
        ControlReply none = request(rt, address, new ControlCommand(null, 0, null));
        assertThat(none.ok()).as(address).isFalse();
        assertThat(none.error()).contains("cmd");
        ControlReply unknown = request(rt, address, new ControlCommand("dance", 1, null));
        assertThat(unknown.ok()).as(address).isFalse();
        assertThat(unknown.error()).contains("dance");
      }
      for (JsonObject args : new JsonObject[] {new JsonObject().put("target", 5),
          new JsonObject().put("target", "bogus"), new JsonObject().put("target", "agent").put("model", "not-json"),
          new JsonObject().put("target", "agent").put("model", new JsonObject().put("overrides", 7))}) {
        ControlReply r = request(rt, Addresses.REDEPLOY, new ControlCommand("redeploy", 0, args));
        assertThat(r.ok()).as(args.encode()).isFalse();
        assertThat(r.error()).as("each is refused for itself, never as 'already running'")
            .doesNotContain("already running");
      }
      rt.awaitTicks(rt.ticks() + 5); // the agent ticks on
      assertThat(rt.control("status", 0).state()).isEqualTo(RunState.RUNNING);
    }
  }

  private static ControlReply request(TestRuntime rt, String address, ControlCommand c) throws Exception {
    return TestRuntime.await(rt.vertx().eventBus().<ControlReply>request(address, c,
        new DeliveryOptions().setSendTimeout(30_000)).map(m -> m.body()));
  }
}
