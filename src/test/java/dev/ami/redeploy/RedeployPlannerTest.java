package dev.ami.redeploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.RedeployRequest;
import dev.ami.config.AmiConfig;
import dev.ami.support.TestRuntime;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The planner alone: what it refuses, and what it warns of, before anything is built or deployed. */
class RedeployPlannerTest {
  private static final AmiConfig SMALL = TestRuntime.smallConfig(Map.of("console.token", "tok-secret"));

  private static RedeployRequest to(String target) {
    return new RedeployRequest(target, null, Map.of(), null, false);
  }

  @Test
  @DisplayName("keys of the process and its world are refused, each with its change, and a token's value never shows")
  void processKeysAreFixed() {
    AmiConfig next = SMALL.with(Map.of("env", "sim", "console.token", "NEWSECRET", "vae.lr", 0.0005));
    assertThatThrownBy(() -> RedeployPlanner.plan(SMALL, next, to("all")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("console.token (")
        .hasMessageContaining("env (noise -> sim)")
        .hasMessageEndingWith("cannot change in a redeploy; restart with it")
        .message().doesNotContain("NEWSECRET").doesNotContain("tok-secret").doesNotContain("vae.lr");
  }

  @Test
  @DisplayName("a new frame size needs agent and trainer together; with target all it plans, the preview follows")
  void frameSizeNeedsBoth() throws Exception {
    AmiConfig next = SMALL.with(Map.of("model.input_size", 64));
    for (String alone : new String[] {"agent", "trainer"}) {
      assertThatThrownBy(() -> RedeployPlanner.plan(SMALL, next, to(alone)))
          .hasMessage("model.input_size (48 -> 64) changes the frames the agent trains on: redeploy target all");
    }
    RedeployPlan plan = RedeployPlanner.plan(SMALL, next, to("all"));
    assertThat(plan.agent()).isTrue();
    assertThat(plan.trainer()).isTrue();
    assertThat(plan.preview()).as("the VAE's input changed: its decoder's picture too").isTrue();
    assertThat(plan.warnings()).as("both sides change together: nothing misfits").isEmpty();
  }

  @Test
  @DisplayName("a checkpoint or fresh weights need the trainer")
  void fromAndFreshNeedTheTrainer() {
    assertThatThrownBy(() -> RedeployPlanner.plan(SMALL, SMALL, new RedeployRequest("agent", null, Map.of(),
        "latest", false))).hasMessage("from needs the trainer: use target trainer or all");
    assertThatThrownBy(() -> RedeployPlanner.plan(SMALL, SMALL, new RedeployRequest("agent", null, Map.of(),
        null, true))).hasMessage("fresh needs the trainer: use target trainer or all");
  }

  @Test
  @DisplayName("one side alone with new shapes is warned of the models that will not fit the other side")
  void oneSideWarns() throws Exception {
    AmiConfig next = SMALL.with(Map.of("fd.width", 48));
    RedeployPlan agent = RedeployPlanner.plan(SMALL, next, to("agent"));
    assertThat(agent.warnings()).singleElement().asString().startsWith("the new agent's [fd] do not fit");
    assertThat(agent.preview()).as("the VAE did not change").isFalse();
    RedeployPlan trainer = RedeployPlanner.plan(SMALL, next, to("trainer"));
    assertThat(trainer.warnings()).singleElement().asString().startsWith("the new trainer's [fd] snapshots");
    RedeployPlan same = RedeployPlanner.plan(SMALL, SMALL.with(Map.of("vae.lr", 0.0005)), to("agent"));
    assertThat(same.warnings()).as("a learning rate changes no shape").isEmpty();
  }

  @Test
  @DisplayName("changed models are those whose shapes differ or that only one side has, in key order")
  void changedModels() {
    assertThat(RedeployPlanner.changedModels(Map.of("vae", 1, "fd", 2, "policy", 3),
        Map.of("policy", 3, "fd", 5, "ae", 1))).containsExactly("ae", "fd", "vae");
  }
}
