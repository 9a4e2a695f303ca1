package dev.ami.recording;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@RuntimeTest
class ReproducibilityTest {

  /** The first {@code n} recorded ticks of a lockstep run of the built-in world with {@code seed}. */
  private static List<JsonObject> firstTicks(long seed, int n) throws Exception {
    Path recordings;
    // the default preset, as the docs' two commands run it: its first model swap comes after its first PPO
    // rollout (128 ticks); what the trainer's timing decides starts there
    try (TestRuntime rt = TestRuntime.start(Map.of("model.preset", "curiosity", "env", "sim", "sim.lockstep", true,
        "sim.map", "rooms", "system.seed", seed, "agent.hz", 20, "record.enabled", true))) {
      recordings = rt.runFolder().recordings();
      rt.awaitTicks(n + 10);
    }
    List<JsonObject> lines = RecordingTest.lines(RecordingTest.segments(recordings, ".jsonl").get(0));
    assertThat(lines.size()).isGreaterThanOrEqualTo(n);
    return new ArrayList<>(lines.subList(0, n));
  }

  @Test
  @DisplayName("two lockstep runs with one seed act alike for their first 100 ticks, and go where the other went")
  void sameSeedSameActions() throws Exception {
    List<JsonObject> a = firstTicks(7, 100);
    List<JsonObject> b = firstTicks(7, 100);
    List<JsonObject> other = firstTicks(8, 100);
    for (int i = 0; i < 100; i++) {
      assertThat(b.get(i).getLong("tick")).isEqualTo(a.get(i).getLong("tick"));
      assertThat(b.get(i).getJsonObject("versions")).as("tick %d: models in use", i + 1)
          .isEqualTo(a.get(i).getJsonObject("versions"));
      assertThat(b.get(i).getJsonArray("action")).as("tick %d", i + 1).isEqualTo(a.get(i).getJsonArray("action"));
      assertThat(b.get(i).getJsonArray("cell")).as("tick %d", i + 1).isEqualTo(a.get(i).getJsonArray("cell"));
    }
    assertThat(other.stream().map(l -> l.getJsonArray("action")).toList()).as("another seed acts otherwise")
        .isNotEqualTo(a.stream().map(l -> l.getJsonArray("action")).toList());
  }
}
