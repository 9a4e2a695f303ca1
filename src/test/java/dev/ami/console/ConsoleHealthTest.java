package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.support.Await;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("/health with a stand-in agent that can stop ticking")
class ConsoleHealthTest {
  private final FakeSystem system = new FakeSystem();

  @AfterEach
  void close() throws Exception {
    system.close();
  }

  private int awaitStatus(Http http, int wanted) throws Exception {
    return Await.value(Await.MINUTE, () -> http.get("/health").statusCode(), s -> s == wanted,
        "/health answers " + wanted);
  }

  @Test
  @DisplayName("flips to 503 when the agent stops ticking, back to 200 when it ticks again")
  void flips() throws Exception {
    Http http = new Http(system.start(Map.of()));
    assertThat(awaitStatus(http, 200)).isEqualTo(200);
    system.ticking = false;
    assertThat(awaitStatus(http, 503)).isEqualTo(503);
    JsonObject body = new JsonObject(http.get("/health").body());
    assertThat(body.getString("outcome")).isEqualTo("DOWN");
    assertThat(body.encode()).contains("no tick for");
    system.ticking = true;
    assertThat(awaitStatus(http, 200)).isEqualTo(200);
  }

  @Test
  @DisplayName("a paused agent is healthy and reported as paused")
  void paused() throws Exception {
    int port = system.start(Map.of());
    Http http = new Http(port);
    assertThat(http.post("/api/pause").statusCode()).isEqualTo(200);
    var r = http.get("/health");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"paused\":true");
  }
}
