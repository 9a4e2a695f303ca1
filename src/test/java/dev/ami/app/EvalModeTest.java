package dev.ami.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.ControlReply;
import dev.ami.bus.ModelKeys;
import dev.ami.runs.Runs;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@RuntimeTest
class EvalModeTest {

  @Test
  @DisplayName("an evaluation run acts with the checkpoint's models: no trainer, versions fixed, its own run folder")
  void evaluates() throws Exception {
    Path runs = TestRuntime.tempDir("ami-eval");
    Map<String, Object> train = Map.of("system.runs_dir", runs.toString(), "vae.min_new", 0, "vae.publish_every", 2);
    JsonObject savedModels;
    try (TestRuntime rt = TestRuntime.start(train)) {
      Await.until(Await.MINUTE, () -> rt.status().getJsonObject("models").getJsonObject(ModelKeys.VAE)
          .getLong("version_published") >= 2, "the VAE publishes v2");
      ControlReply c = rt.control("checkpoint", 0);
      assertThat(c.ok()).as(c.error()).isTrue();
      savedModels = new JsonObject(Files.readString(Path.of(c.detail().getString("path")).resolve("manifest.json")))
          .getJsonObject("models");
    }
    Map<String, Object> eval = Map.of("system.runs_dir", runs.toString(), "mode", "eval",
        "agent.eval_actions", "greedy");
    try (TestRuntime rt = TestRuntime.startResumed(eval, "latest")) {
      rt.awaitTicks(rt.ticks() + 10); // the agent acts
      JsonObject status = rt.status();
      assertThat(status.getJsonObject("trainer").getString("state")).isEqualTo("absent");
      for (String key : new String[] {ModelKeys.FD, ModelKeys.POLICY}) {
        assertThat(status.getJsonObject("models").getJsonObject(key).getLong("version_in_use"))
            .as("%s runs the checkpoint's version", key).isEqualTo(savedModels.getJsonObject(key).getLong("version"));
      }
      assertThat(status.getJsonObject("models").fieldNames())
          .as("no trainer, and the VAE's encoder reaches the agent inside the forward model's snapshot")
          .doesNotContain(ModelKeys.VAE);
      assertThat(Runs.mode(rt.runFolder())).isEqualTo("eval");
    }
    assertThat(Runs.training(runs)).as("latest never picks an evaluation run").hasSize(1);
  }
}
