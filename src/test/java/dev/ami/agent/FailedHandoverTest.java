package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.handover.Handovers;
import dev.ami.kind.AgentKinds;
import dev.ami.runtime.Verticles;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A redeploy whose new agent cannot take over: the agent that handed over takes it back and ticks on, exactly one
 * agent stays deployed, and the next redeploy succeeds.
 */
@DisplayName("a failed handover")
@RuntimeTest
class FailedHandoverTest {

  /** The second agent built (the first redeploy's) fails to take over; every other one is the default. */
  private static AgentVerticle agent(int index) {
    return Verticles.agent((config, params) -> {
      AtomicInteger restores = new AtomicInteger();
      return new DelegatingBrain(AgentKinds.brains().build(config, params)) {
        @Override
        public void restoreState(float[] saved) {
          // the first restore is the warm-up's own (Brain.warmUp); the second is the take-over's
          if (index == 2 && restores.incrementAndGet() >= 2) {
            throw new IllegalStateException("injected: this agent cannot take over");
          }
          inner.restoreState(saved);
        }
      };
    });
  }

  @Test
  @DisplayName("the old agent ticks on from where it stopped, one agent stays deployed, a second redeploy succeeds")
  void oldAgentTakesBack() throws Exception {
    AtomicInteger built = new AtomicInteger();
    try (TestRuntime rt = TestRuntime.startWithAgent(Map.of("env", "noise", "agent.hz", 20),
        () -> agent(built.incrementAndGet()))) {
      rt.awaitTicks(20);
      int deployments = rt.vertx().deploymentIDs().size();
      ControlReply failed = redeploy(rt);
      assertThat(failed.ok()).isFalse();
      assertThat(failed.error()).contains("could not take over").contains("previous agent ticks on")
          .contains("redeploy again");
      assertThat(rt.vertx().deploymentIDs()).as("the new agent went, the old one stays").hasSize(deployments);
      rt.awaitTicks(rt.ticks() + 20);
      assertThat(rt.control("status", 0).state()).isEqualTo(dev.ami.bus.RunState.RUNNING);

      ControlReply ok = redeploy(rt);
      assertThat(ok.ok()).as(ok.error()).isTrue();
      assertThat(built.get()).isEqualTo(3);
      assertThat(rt.vertx().deploymentIDs()).as("still one agent").hasSize(deployments);
      rt.awaitTicks(rt.ticks() + 20);
    }
  }

  @Test
  @DisplayName("paused when the handover fails: neutral at once, and the agent that takes back stays paused")
  void pausedStaysPaused() throws Exception {
    AtomicInteger built = new AtomicInteger();
    try (TestRuntime rt = TestRuntime.startWithAgent(Map.of("env", "noise", "agent.hz", 20),
        () -> agent(built.incrementAndGet()))) {
      rt.awaitTicks(20);
      dev.ami.env.RecordingActuator actuator = (dev.ami.env.RecordingActuator) Handovers.of(rt.vertx())
          .environment().actuator();
      assertThat(rt.control("pause", 0).ok()).isTrue();
      long neutrals = actuator.neutrals();
      long ticks = rt.control("status", 0).detail().getLong("ticks");
      ControlReply failed = redeploy(rt);
      assertThat(failed.ok()).isFalse();
      assertThat(actuator.neutrals()).as("neutral when the take-over failed").isGreaterThan(neutrals);
      assertThat(rt.control("status", 0).state()).as("the paused agent came back paused")
          .isEqualTo(dev.ami.bus.RunState.PAUSED);
      assertThat(rt.control("status", 0).detail().getLong("ticks")).isEqualTo(ticks);
      assertThat(rt.control("resume", 0).ok()).isTrue();
      rt.awaitTicks(ticks + 10);
    }
  }

  private static ControlReply redeploy(TestRuntime rt) throws Exception {
    return TestRuntime.await(rt.vertx().eventBus().<ControlReply>request(Addresses.REDEPLOY,
        new ControlCommand("redeploy", 0, new JsonObject().put("target", "agent")),
        new DeliveryOptions().setSendTimeout(120_000)).map(m -> m.body()));
  }
}
