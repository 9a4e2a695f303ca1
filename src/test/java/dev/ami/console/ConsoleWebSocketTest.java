package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.Addresses;
import dev.ami.config.AmiConfig;
import dev.ami.runtime.AmiRuntime;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("console WebSocket protocol against the real runtime")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@RuntimeTest
class ConsoleWebSocketTest {
  private Vertx vertx;
  private AmiRuntime runtime;
  private int port;
  private TestSocket socket;

  @BeforeAll
  void startRuntime() throws Exception {
    AmiConfig config = TestRuntime.smallConfig(Map.of("agent.hz", 10, "console.telemetry_hz", 10.0));
    vertx = TestRuntime.newVertxWithRun(config); // a run folder, where the checkpoint command writes
    runtime = AmiRuntime.start(vertx, config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    port = (Integer) vertx.sharedData().getLocalMap(Addresses.CONSOLE_MAP).get("port");
    socket = TestSocket.open(vertx, port);
  }

  @AfterAll
  void stopRuntime() throws Exception {
    socket.close();
    AmiRuntime.stopAndClose(runtime, vertx, 60);
  }

  private JsonObject ensurePaused() throws Exception {
    JsonObject r = socket.request("pause");
    assertThat(r.getBoolean("ok")).as(r.encode()).isTrue();
    assertThat(r.getString("state")).isEqualTo("paused");
    return r;
  }

  @Nested
  @DisplayName("commands")
  class Commands {
    @Test
    @DisplayName("status carries state, ticks, versions and uptime, and echoes the id")
    void status() throws Exception {
      JsonObject r = socket.sendRaw("{\"id\":\"abc\",\"cmd\":\"status\"}");
      assertThat(r.getString("id")).isEqualTo("abc");
      assertThat(r.getBoolean("ok")).isTrue();
      assertThat(r.getString("error")).isNull();
      assertThat(r.fieldNames()).contains("state", "ticks", "models", "uptime_s", "agent", "trainer");
      assertThat(r.getJsonObject("models").getJsonObject("policy").fieldNames())
          .contains("version_published", "version_in_use", "policy_lag");
    }

    @Test
    @DisplayName("pause stops the ticks, step n advances exactly n and reports step-done, resume runs again")
    void pauseStepResume() throws Exception {
      socket.request(new JsonObject().put("cmd", "subscribe").put("topics", new JsonArray().add("events")));
      ensurePaused();
      long before = socket.request("status").getLong("ticks");
      JsonObject step = socket.request(new JsonObject().put("cmd", "step").put("n", 3));
      assertThat(step.getBoolean("ok")).as(step.encode()).isTrue();
      assertThat(step.getString("state")).isIn("stepping", "paused");
      socket.awaitPush("event", e -> "step-done".equals(e.getString("kind")));
      JsonObject after = socket.request("status");
      assertThat(after.getString("state")).isEqualTo("paused");
      assertThat(after.getLong("ticks")).isEqualTo(before + 3);

      JsonObject resumed = socket.request("resume");
      assertThat(resumed.getBoolean("ok")).isTrue();
      assertThat(resumed.getString("state")).isEqualTo("running");
    }

    @Test
    @DisplayName("step while running is refused and changes nothing")
    void stepWhileRunning() throws Exception {
      socket.request("resume");
      JsonObject r = socket.request(new JsonObject().put("cmd", "step").put("n", 2));
      assertThat(r.getBoolean("ok")).isFalse();
      assertThat(r.getString("error")).contains("paused");
      assertThat(socket.request("status").getString("state")).isEqualTo("running");
    }

    @Test
    @DisplayName("redeploy without a target is refused with the reason, and the agent keeps running")
    void redeployNeedsTarget() throws Exception {
      JsonObject r = socket.request("redeploy");
      assertThat(r.getBoolean("ok")).isFalse();
      assertThat(r.getString("error")).contains("target");
      assertThat(socket.request("status").getBoolean("ok")).isTrue();
    }

    @Test
    @DisplayName("checkpoint writes one and the reply names its directory, size and duration")
    void checkpoint() throws Exception {
      JsonObject r = socket.request("checkpoint");
      assertThat(r.getBoolean("ok")).as("reply %s", r).isTrue();
      assertThat(r.getLong("bytes")).isPositive();
      assertThat(r.getLong("ms")).isNotNegative();
      java.nio.file.Path path = java.nio.file.Path.of(r.getString("path"));
      assertThat(path.getFileName().toString()).endsWith(".state");
      assertThat(path.resolve("manifest.json")).isRegularFile();
      assertThat(r.getString("state")).isEqualTo("running");
    }

    @Test
    @DisplayName("subscribe brings telemetry, frame thumbnails and the expected next frame")
    void subscribe() throws Exception {
      socket.request("resume");
      try (TestSocket s = TestSocket.open(vertx, port)) {
        JsonObject r = s.request(new JsonObject().put("cmd", "subscribe"));
        assertThat(r.getBoolean("ok")).isTrue();
        assertThat(r.getJsonArray("topics")).containsExactlyInAnyOrder("telemetry", "events", "frames", "history");
        JsonObject h = s.awaitPush("history", m -> true);
        assertThat(h.getInteger("interval_s")).isEqualTo(10);
        assertThat(h.getJsonArray("t")).isNotNull();
        JsonObject t = s.awaitPush("telemetry", m -> m.getLong("ticks") > 0);
        assertThat(t.fieldNames()).contains("state", "ticks", "agent", "inference_ms", "models", "reward",
            "actions", "memory", "action");
        assertThat(t.getJsonObject("models").fieldNames()).containsExactly("vae", "fd", "policy");
        assertThat(t.getJsonObject("memory").getDouble("heap_used_mb")).isPositive();
        assertThat(t.getJsonObject("action").fieldNames()).contains("vertical", "horizontal", "look", "jump",
            "run");
        JsonObject f = s.awaitPush("frame", m -> true);
        assertThat(f.getString("image")).startsWith("data:image/png;base64,");
        JsonObject e = s.awaitPush("expected", m -> true);
        assertThat(e.getString("image")).as("the decoded prediction of the next frame")
            .startsWith("data:image/png;base64,");
        assertThat(e.getLong("decoder_version")).isPositive();
      }
    }
  }

  @Nested
  @DisplayName("bad input gets an error reply, the connection stays open and nothing changes")
  class BadInput {
    @ParameterizedTest
    @ValueSource(strings = {
        "not json", "{\"cmd\":", "[1,2]", "42", "null", "{}", "{\"cmd\":7}", "{\"cmd\":\"dance\"}",
        "{\"cmd\":\"status\",\"id\":{\"a\":1}}", "{\"cmd\":\"step\"}", "{\"cmd\":\"step\",\"n\":\"3\"}",
        "{\"cmd\":\"step\",\"n\":2.5}", "{\"cmd\":\"step\",\"n\":true}", "{\"cmd\":\"step\",\"n\":0}",
        "{\"cmd\":\"step\",\"n\":-1}", "{\"cmd\":\"step\",\"n\":10001}", "{\"cmd\":\"step\",\"n\":1e30}",
        "{\"cmd\":\"subscribe\",\"topics\":\"all\"}", "{\"cmd\":\"subscribe\",\"topics\":[\"weather\"]}"})
    void refused(String text) throws Exception {
      ensurePaused();
      long ticks = socket.request("status").getLong("ticks");
      JsonObject r = socket.sendRaw(text);
      assertThat(r.getBoolean("ok")).as(r.encode()).isFalse();
      assertThat(r.getString("error")).isNotBlank();
      JsonObject after = socket.request("status");
      assertThat(after.getBoolean("ok")).isTrue();
      assertThat(after.getString("state")).isEqualTo("paused");
      assertThat(after.getLong("ticks")).isEqualTo(ticks);
      socket.request("resume");
    }

    @Test
    @DisplayName("the reply to a refused request keeps its id when the id could be read")
    void keepsId() throws Exception {
      JsonObject r = socket.sendRaw("{\"id\":77,\"cmd\":\"fly\"}");
      assertThat(r.getInteger("id")).isEqualTo(77);
      assertThat(r.getString("error")).contains("unknown command 'fly'");
    }

    @Test
    @DisplayName("binary messages are refused with an error reply")
    void binary() throws Exception {
      socket.ws.writeBinaryMessage(Buffer.buffer(new byte[] {1, 2, 3}));
      JsonObject r = socket.awaitMessage(m -> !m.containsKey("type"));
      assertThat(r.getBoolean("ok")).isFalse();
      assertThat(r.getString("error")).contains("binary");
    }

    @Test
    @DisplayName("a message over 64 KiB gets an error reply and a 1009 close; one over the 1 MiB transport bound is "
        + "dropped by the decoder; the console keeps serving others")
    void oversizedFrame() throws Exception {
      try (TestSocket big = TestSocket.open(vertx, new WebSocketClientOptions().setMaxFrameSize(4 << 20)
          .setMaxMessageSize(4 << 20), TestSocket.options(port))) {
        String padding = "x".repeat(100 * 1024);
        big.ws.writeTextMessage("{\"cmd\":\"status\",\"pad\":\"" + padding + "\"}");
        JsonObject r = big.awaitMessage(m -> !m.containsKey("type"));
        assertThat(r.getString("error")).contains("message too big");
        assertThat(big.closeStatus.get(TestSocket.TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo((short) 1009);
      }
      try (TestSocket huge = TestSocket.open(vertx, new WebSocketClientOptions().setMaxFrameSize(4 << 20)
          .setMaxMessageSize(4 << 20), TestSocket.options(port))) {
        huge.ws.writeTextMessage("x".repeat(2 << 20));
        assertThat(huge.closeStatus.get(TestSocket.TIMEOUT_S, TimeUnit.SECONDS)).isIn((short) 1009, (short) 1006);
      }
      assertThat(socket.request("status").getBoolean("ok")).isTrue();
    }

    @Test
    @DisplayName("a client offering permessage-deflate (as browsers do) sends uncompressed, and a message over 64 KiB "
        + "gets an error reply and a 1009 close")
    void oversizedMessageFromADeflateClient() throws Exception {
      WebSocketClientOptions deflate = new WebSocketClientOptions().setTryUsePerMessageCompression(true)
          .setMaxFrameSize(1 << 20).setMaxMessageSize(1 << 20);
      try (TestSocket big = TestSocket.open(vertx, deflate, TestSocket.options(port))) {
        assertThat(big.ws.headers().get("sec-websocket-extensions")).as("the server declines compression: what it "
            + "buffers is what was on the wire").isNull();
        String padding = "x".repeat(100 * 1024); // compresses to a few hundred bytes
        big.ws.writeTextMessage("{\"id\":7,\"cmd\":\"status\",\"pad\":\"" + padding + "\"}");
        JsonObject r = big.awaitMessage(m -> !m.containsKey("type"));
        assertThat(r.getBoolean("ok")).isFalse();
        assertThat(r.getString("error")).contains("too big").contains("65536");
        assertThat(big.closeStatus.get(TestSocket.TIMEOUT_S, TimeUnit.SECONDS)).isEqualTo((short) 1009);
      }
      assertThat(socket.request("status").getBoolean("ok")).isTrue();
    }
  }

  @Nested
  @DisplayName("handshake")
  class Handshake {
    @Test
    @DisplayName("a cross-origin WebSocket handshake is rejected with 403")
    void crossOrigin() {
      assertThatThrownBy(() -> TestSocket.open(vertx, new WebSocketClientOptions(),
          TestSocket.options(port).putHeader("Origin", "http://evil.example")))
          .isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(UpgradeRejectedException.class)
          .satisfies(e -> assertThat(((UpgradeRejectedException) e).getStatus()).isEqualTo(403));
    }

    @Test
    @DisplayName("the console's own origin and no origin at all are accepted")
    void ownOrigin() throws Exception {
      try (TestSocket own = TestSocket.open(vertx, new WebSocketClientOptions(), TestSocket.options(port)
          .setAllowOriginHeader(false).putHeader("Origin", "http://127.0.0.1:" + port))) {
        assertThat(own.request("status").getBoolean("ok")).isTrue();
      }
      try (TestSocket none = TestSocket.open(vertx, new WebSocketClientOptions(), TestSocket.options(port)
          .setAllowOriginHeader(false))) {
        assertThat(none.request("status").getBoolean("ok")).isTrue();
      }
    }
  }

  @Test
  @DisplayName("a client that stops reading has its pushes dropped while the agent keeps ticking")
  void stalledClient() throws Exception {
    socket.request("resume");
    long ticksBefore = socket.request("status").getLong("ticks");
    try (TestSocket slow = TestSocket.open(vertx, new WebSocketClientOptions().setReceiveBufferSize(4096),
        TestSocket.options(port))) {
      slow.request(new JsonObject().put("cmd", "subscribe"));
      slow.ws.pause();
      Http http = new Http(port);
      double dropped = Await.value(Duration.ofSeconds(120), () -> MetricsTest.families(http.get("/metrics").body())
          .stream().filter(f -> f.getName().equals("ami_console_pushes_dropped_total"))
          .mapToDouble(f -> ((org.hawkular.agent.prometheus.types.Counter) f.getMetrics().get(0)).getValue())
          .sum(), d -> d > 0, "pushes to the stalled client are dropped");
      assertThat(dropped).isPositive();
      assertThat(socket.request("status").getLong("ticks")).isGreaterThan(ticksBefore);
    }
  }

  @Nested
  @DisplayName("HTTP")
  class HttpApi {
    @Test
    @DisplayName("GET /api/status and POST /api/pause|step|resume have the WebSocket semantics")
    void api() throws Exception {
      Http http = new Http(port);
      JsonObject status = new JsonObject(http.get("/api/status").body());
      assertThat(status.fieldNames()).contains("state", "ticks", "models", "uptime_s");
      var paused = http.post("/api/pause");
      assertThat(paused.statusCode()).isEqualTo(200);
      assertThat(new JsonObject(paused.body()).getString("state")).isEqualTo("paused");
      assertThat(http.post("/api/step?n=0").statusCode()).isEqualTo(400);
      assertThat(http.post("/api/step?n=abc").statusCode()).isEqualTo(400);
      assertThat(http.post("/api/step").statusCode()).isEqualTo(400);
      assertThat(http.post("/api/step?n=2").statusCode()).isEqualTo(200);
      var checkpoint = http.post("/api/checkpoint");
      assertThat(checkpoint.statusCode()).as(checkpoint.body()).isEqualTo(200);
      assertThat(new JsonObject(checkpoint.body()).getString("path")).endsWith(".state");
      assertThat(http.post("/api/fly").statusCode()).isEqualTo(404);
      var resumed = http.post("/api/resume");
      assertThat(new JsonObject(resumed.body()).getString("state")).isEqualTo("running");
    }

    @Test
    @DisplayName("a cross-origin POST is refused (CSRF)")
    void crossOriginPost() throws Exception {
      var r = new Http(port).post("/api/pause", "Origin", "http://evil.example");
      assertThat(r.statusCode()).isEqualTo(403);
      assertThat(socket.request("status").getString("state")).isNotEqualTo("paused");
    }

    @Test
    @DisplayName("GET /health is 200 while the agent ticks, and reports a pause as healthy")
    void health() throws Exception {
      socket.request("resume");
      Http http = new Http(port);
      var up = http.get("/health");
      assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
      ensurePaused();
      var paused = http.get("/health");
      assertThat(paused.statusCode()).as(paused.body()).isEqualTo(200);
      assertThat(paused.body()).contains("\"paused\":true");
      socket.request("resume");
    }

    @Test
    @DisplayName("GET /metrics parses as Prometheus text and has our meters and the JVM's")
    void metrics() throws Exception {
      var r = new Http(port).get("/metrics");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
      var families = MetricsTest.families(r.body());
      assertThat(families).extracting(f -> f.getName()).contains("ami_tick_lateness_seconds",
          "ami_inference_latency_seconds", "ami_params_version_published", "ami_trainer_loss", "ami_reward",
          "ami_console_clients",
          "jvm_memory_used_bytes");
      var lateness = families.stream().filter(f -> f.getName().equals("ami_tick_lateness_seconds")).findFirst()
          .orElseThrow();
      assertThat(lateness.getType()).isEqualTo(org.hawkular.agent.prometheus.types.MetricType.SUMMARY);
      var summary = (org.hawkular.agent.prometheus.types.Summary) lateness.getMetrics().get(0);
      assertThat(summary.getSampleCount()).isPositive();
      assertThat(summary.getQuantiles()).extracting(q -> q.getQuantile()).contains(0.5, 0.99);
      var versions = families.stream().filter(f -> f.getName().equals("ami_params_version_published")).findFirst()
          .orElseThrow();
      assertThat(versions.getMetrics()).as("one series per model, by label")
          .extracting(m -> m.getLabels().get("model")).contains("vae", "fd", "policy");
      var heap = families.stream().filter(f -> f.getName().equals("jvm_memory_used_bytes")).findFirst()
          .orElseThrow();
      assertThat(heap.getMetrics()).anySatisfy(m -> assertThat(m.getLabels()).containsEntry("area", "heap"));
    }

    @Test
    @DisplayName("the page and the uPlot webjar are served")
    void page() throws Exception {
      Http http = new Http(port);
      var index = http.get("/");
      assertThat(index.statusCode()).isEqualTo(200);
      assertThat(index.body()).contains("ami console", "uPlot.iife.min.js");
      assertThat(http.get("/webjars/uplot/1.6.30/dist/uPlot.iife.min.js").statusCode()).isEqualTo(200);
      assertThat(http.get("/app.js").statusCode()).isEqualTo(200);
    }
  }
}
