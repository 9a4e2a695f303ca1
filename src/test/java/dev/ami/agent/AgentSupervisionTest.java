package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Event;
import dev.ami.env.Frame;
import dev.ami.env.RecordingActuator;
import dev.ami.handover.Handovers;
import dev.ami.kind.AgentKinds;
import dev.ami.runtime.Verticles;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * An exception on the agent thread, injected through the brain, in the full system: the actuators go neutral, a new
 * loop starts after the backoff with the counters going on, and the events and the status say what happened.
 */
@DisplayName("the supervised agent")
@RuntimeTest
class AgentSupervisionTest {

  /** The default brain that throws once, at tick {@code at} (the first brain only: the restarted one is healthy). */
  private static AgentVerticle crashingOnce(long at, AtomicBoolean crashed) {
    return Verticles.agent((config, params) -> {
      return new DelegatingBrain(AgentKinds.brains().build(config, params)) {
        @Override
        public Decision decide(Frame frame, long tick, boolean stale) {
          if (tick == at && crashed.compareAndSet(false, true)) {
            throw new IllegalStateException("injected crash at tick " + tick);
          }
          return inner.decide(frame, tick, stale);
        }
      };
    });
  }

  @Test
  @DisplayName("a crash sends neutral, the agent ticks again after the backoff from the same tick count, and says so")
  void restartsAfterACrash() throws Exception {
    AtomicBoolean crashed = new AtomicBoolean();
    try (TestRuntime rt = TestRuntime.startWithAgent(Map.of("env", "noise", "agent.restart_delay_ms", 200),
        () -> crashingOnce(30, crashed))) {
      RecordingActuator actuator = (RecordingActuator) Handovers.of(rt.vertx()).environment().actuator();
      Await.until(Await.MINUTE, () -> rt.hasEvent("agent-restarted"), () -> "restarted; events " + rt.events());
      assertThat(crashed).isTrue();
      assertThat(rt.events()).extracting(Event::kind).containsSubsequence("agent-crash", "agent-restart",
          "agent-restarted");
      assertThat(actuator.neutrals()).as("the crashed loop set the actuators neutral").isPositive();
      JsonObject agent = rt.control("status", 0).detail().getJsonObject("agent");
      assertThat(agent.getInteger("restarts")).isEqualTo(1);
      assertThat(agent.getString("last_error")).contains("injected crash at tick 30");
      long ticks = rt.ticks();
      assertThat(ticks).as("the counters go on from the crashed loop's").isGreaterThanOrEqualTo(29);
      rt.awaitTicks(ticks + 10); // the new loop ticks
      assertThat(rt.control("status", 0).state()).isEqualTo(dev.ami.bus.RunState.RUNNING);
    }
  }
}
