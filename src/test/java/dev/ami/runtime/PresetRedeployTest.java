package dev.ami.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.StepRecord;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's redeploy example, as written, on the default run: the default preset in the built-in world. */
@RuntimeTest
class PresetRedeployTest {
  @Test
  @DisplayName("curl -X POST '/api/redeploy?target=all&preset=curiosity-small' on the default run swaps to the small "
      + "models: the world keeps its map and frame size, the agent fits frames to 48x48 and the trainer gets them")
  void readmeExample() throws Exception {
    try (TestRuntime rt = TestRuntime.start(Map.of("model.preset", "curiosity", "env", "sim", "agent.hz", 10))) {
      assertThat(config(rt).getInteger("model.input_size")).isEqualTo(84);
      int port = (Integer) rt.vertx().sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/api/redeploy?target=all&preset=curiosity-small")).POST(HttpRequest.BodyPublishers.noBody())
          .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonObject reply = new JsonObject(r.body());
      assertThat(reply.getBoolean("ok")).as(r.body()).isTrue();
      assertThat(reply.getString("redeployed")).isEqualTo("all");

      CompletableFuture<StepRecord> step = new CompletableFuture<>();
      rt.vertx().eventBus().<StepRecord>consumer(Addresses.TRANSITIONS, m -> step.complete(m.body()));
      StepRecord s = step.get(60, TimeUnit.SECONDS);
      assertThat(s.side()).as("the new agent's frames, fitted to its models").isEqualTo(48);
      assertThat(s.frame()).hasSize(3 * 48 * 48);
      assertThat(config(rt).getInteger("model.input_size")).isEqualTo(48);
      assertThat(config(rt).getString("sim.map")).as("the world is the one it was").isEqualTo("rooms");
    }
  }

  /** The configuration the models run with now, as the runtime keeps it. */
  private static JsonObject config(TestRuntime rt) {
    return (JsonObject) rt.vertx().sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.CONFIG_KEY);
  }
}
