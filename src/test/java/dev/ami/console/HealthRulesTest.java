package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HealthRulesTest {
  private final HealthRules rules = new HealthRules(10);

  private static JsonObject status(String state, boolean sourceUp, String detail) {
    return new JsonObject().put("state", state).put("ticks", 42L).put("agent", new JsonObject().put("source",
        new JsonObject().put("up", sourceUp).put("detail", detail)));
  }

  @Test
  @DisplayName("a ticking agent with its source up is healthy; one whose source is down is not, with the source's error")
  void sourceDownIsTheReason() {
    long now = 1_000_000_000L;
    assertThat(rules.agent(status("running", true, "ok"), now - 50_000_000L, now).ok()).isTrue();
    HealthRules.Verdict blind = rules.agent(status("running", false, "down: udp://127.0.0.1:5600: timed out"),
        now - 50_000_000L, now);
    assertThat(blind.ok()).isFalse();
    assertThat(blind.data().getString("reason")).contains("frame source is down").contains("timed out");
    assertThat(rules.agent(status("paused", false, "down"), now - 5_000_000_000L, now).ok())
        .as("paused is healthy and reported").isTrue();
    assertThat(rules.agent(status("running", true, "ok"), now - 500_000_000L, now).data().getString("reason"))
        .contains("no tick for 500 ms");
  }

  @Test
  @DisplayName("before the agent has answered the state is starting, after it is gone stopping, never failed")
  void startingAndStopping() {
    HealthRules.Verdict starting = rules.agent(new JsonObject().put("state", "starting"), Long.MIN_VALUE, 0);
    assertThat(starting.ok()).isFalse();
    assertThat(starting.data().getString("reason")).isEqualTo("agent is starting");
  }

  @Test
  @DisplayName("a trainer restarting within its budget is healthy; once it gave up, DOWN with the last error")
  void trainerRestarts() {
    JsonObject restarting = new JsonObject().put("trainer", new JsonObject().put("state", "restarting")
        .put("restarts", 2).put("last_error", "java.lang.IllegalStateException: boom"));
    assertThat(rules.trainer(restarting).ok()).isTrue();
    JsonObject gaveUp = new JsonObject().put("trainer", new JsonObject().put("state", "failed").put("restarts", 5)
        .put("last_error", "java.lang.IllegalStateException: boom"));
    HealthRules.Verdict down = rules.trainer(gaveUp);
    assertThat(down.ok()).isFalse();
    assertThat(down.data().getString("reason")).isEqualTo("trainer is failed: java.lang.IllegalStateException: boom");
  }
}
