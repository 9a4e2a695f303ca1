package dev.ami.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.console.AccessGuard.Credentials;
import dev.ami.console.ConsoleRequest.Topic;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("console parts without Vert.x")
class ConsolePartsTest {

  @Nested
  @DisplayName("protocol")
  class ProtocolRules {
    @Test
    @DisplayName("parses every command, step with n and subscribe with topics")
    void parses() {
      for (String cmd : List.of("pause", "resume", "status", "shutdown", "checkpoint")) {
        assertThat(Protocol.parse("{\"id\":1,\"cmd\":\"" + cmd + "\"}").cmd()).isEqualTo(cmd);
      }
      ConsoleRequest redeploy = Protocol.parse(
          "{\"cmd\":\"redeploy\",\"target\":\"agent\",\"model\":{\"preset\":\"autoencoder\","
              + "\"overrides\":{\"model.input_size\":48}},\"from\":\"states/x.state\"}");
      assertThat(redeploy.args().getString("target")).isEqualTo("agent");
      assertThat(redeploy.args().getJsonObject("model").getString("preset")).isEqualTo("autoencoder");
      assertThat(redeploy.args().getString("from")).isEqualTo("states/x.state");
      for (String bad : List.of("{\"cmd\":\"redeploy\"}", "{\"cmd\":\"redeploy\",\"target\":\"console\"}",
          "{\"cmd\":\"redeploy\",\"target\":\"agent\",\"extra\":1}",
          "{\"cmd\":\"redeploy\",\"target\":\"agent\",\"model\":\"curiosity\"}")) {
        assertThatThrownBy(() -> Protocol.parse(bad)).as(bad).isInstanceOf(ProtocolException.class);
      }
      ConsoleRequest step = Protocol.parse("{\"id\":\"a\",\"cmd\":\"step\",\"n\":10000}");
      assertThat(step.n()).isEqualTo(10000);
      assertThat(step.id()).isEqualTo("a");
      assertThat(Protocol.parse("{\"cmd\":\"subscribe\",\"topics\":[\"frames\"]}").topics())
          .containsExactly(Topic.FRAMES);
      assertThat(Protocol.parse("{\"cmd\":\"subscribe\"}").topics()).containsExactlyInAnyOrder(Topic.values());
    }

    @Test
    @DisplayName("step n from a query string must be a whole number in range")
    void query() {
      assertThat(Protocol.stepCountFromQuery("3")).isEqualTo(3);
      for (String bad : new String[] {null, "", "0", "10001", "x", "2.5", "99999999999999999999"}) {
        assertThatThrownBy(() -> Protocol.stepCountFromQuery(bad)).isInstanceOf(ProtocolException.class);
      }
    }
  }

  @Nested
  @DisplayName("access guard")
  class Guard {
    private final AccessGuard open = new AccessGuard("");
    private final AccessGuard locked = new AccessGuard("t0k");

    @Test
    @DisplayName("own origin passes, any other origin is refused")
    void origin() {
      assertThat(open.check(new Credentials("127.0.0.1:8391", null, null, null, null))).isNull();
      assertThat(open.check(new Credentials("127.0.0.1:8391", "http://127.0.0.1:8391", null, null, null))).isNull();
      assertThat(open.check(new Credentials("localhost:8391", "http://localhost:8391", null, null, null))).isNull();
      assertThat(open.check(new Credentials("[::1]:8391", "http://[::1]:8391", null, null, null))).isNull();
      assertThat(open.check(new Credentials("127.0.0.1:8391", "http://evil.example", null, null, null)).status())
          .isEqualTo(403);
      assertThat(open.check(new Credentials("127.0.0.1:8391", "null", null, null, null)).status()).isEqualTo(403);
      assertThat(open.check(new Credentials("127.0.0.1:8391", "http://127.0.0.1:9999", null, null, null)))
          .isNotNull();
    }

    @Test
    @DisplayName("a rebound DNS name is refused without a token")
    void rebinding() {
      assertThat(open.check(new Credentials("evil.example:8391", "http://evil.example:8391", null, null, null))
          .status()).isEqualTo(403);
    }

    @Test
    @DisplayName("with a token: bearer, query or cookie, compared exactly")
    void token() {
      assertThat(locked.check(new Credentials("10.0.0.5:8391", null, null, null, null)).status()).isEqualTo(401);
      assertThat(locked.check(new Credentials("10.0.0.5:8391", null, "Bearer t0k", null, null))).isNull();
      assertThat(locked.check(new Credentials("10.0.0.5:8391", null, null, "t0k", null))).isNull();
      assertThat(locked.check(new Credentials("10.0.0.5:8391", null, null, null, "t0k"))).isNull();
      assertThat(locked.check(new Credentials("10.0.0.5:8391", null, "Bearer t0", null, null))).isNotNull();
      assertThat(locked.check(new Credentials("10.0.0.5:8391", "http://evil.example", "Bearer t0k", null, null))
          .status()).isEqualTo(403);
    }
  }

  @Nested
  @DisplayName("telemetry")
  class Telemetry {
    @Test
    @DisplayName("window stats: rate, last and p99 over the window, older values fall out")
    void window() {
      WindowStats s = new WindowStats(10_000_000_000L, 2_000_000_000L, 64);
      long t0 = 1_000_000_000_000L;
      for (int i = 0; i < 40; i++) {
        s.add(t0 + i * 100_000_000L, i);
      }
      long now = t0 + 40 * 100_000_000L;
      assertThat(s.last()).isEqualTo(39);
      assertThat(s.ratePerSecond(now)).isCloseTo(10.0, org.assertj.core.api.Assertions.within(0.6));
      assertThat(s.percentile(now, 100)).isEqualTo(39);
      assertThat(s.ratePerSecond(now + 5_000_000_000L)).isZero();
      assertThat(s.percentile(now + 20_000_000_000L, 99)).isNaN();
    }

    @Test
    @DisplayName("window stats: percentiles and mean of 1..1000, signed values too; only the window's values count")
    void windowPercentiles() {
      WindowStats s = new WindowStats(10_000_000_000L, 2_000_000_000L, 2048);
      long t0 = 1_000_000_000_000L;
      for (int v = 1; v <= 1000; v++) { // a millisecond apart: all inside the 10 s window
        s.add(t0 + v * 1_000_000L, v);
      }
      s.add(t0 + 1_001_000_000L, Double.NaN); // counts for the rate only
      long now = t0 + 1_002_000_000L;
      assertThat(s.percentile(now, 50)).isCloseTo(500, org.assertj.core.api.Assertions.withinPercentage(0.1));
      assertThat(s.percentile(now, 99)).isCloseTo(990, org.assertj.core.api.Assertions.withinPercentage(0.1));
      assertThat(s.percentile(now, 100)).isEqualTo(1000);
      assertThat(s.mean(now)).isEqualTo(500.5);
      // 9.5 s later the first 500 values have left the window
      long later = t0 + 10_500_500_000L;
      assertThat(s.percentile(later, 0)).isEqualTo(501);
      assertThat(s.percentile(later, 50)).isCloseTo(750, org.assertj.core.api.Assertions.withinPercentage(0.1));
      assertThat(s.mean(later)).isEqualTo(750.5);

      WindowStats reward = new WindowStats(10_000_000_000L, 2_000_000_000L, 64);
      for (int v = -3; v <= 3; v++) {
        reward.add(t0 + (v + 4) * 1_000_000L, v * 0.25);
      }
      assertThat(reward.percentile(t0 + 10_000_000L, 50)).isEqualTo(0);
      assertThat(reward.percentile(t0 + 10_000_000L, 10)).isCloseTo(-0.75,
          org.assertj.core.api.Assertions.withinPercentage(0.1));
      assertThat(reward.percentile(t0 + 10_000_000L, 100)).isEqualTo(0.75);
    }

    @Test
    @DisplayName("the push is valid JSON (no NaN), with each model's versions, lag and buffer, the reward and the "
        + "policy's per-part probabilities")
    void snapshot() {
      TelemetryAggregator a = new TelemetryAggregator(new java.util.LinkedHashMap<>(java.util.Map.of("vae", 100)));
      long wall = 1_700_000_000_000L;
      float[] probs = {0.2f, 0.3f, 0.5f, 1, 0, 0, 0, 0, 1, 0.25f, 0.75f, 0.5f, 0.5f};
      a.onTick(new TickRecord(5, 0.2, 1, 2, java.util.Map.of("vae", new dev.ami.bus.ModelTick(3, 5, 1, Double.NaN,
          Double.NaN), "fd", new dev.ami.bus.ModelTick(7, 7, 1, 0.01, 40)), 0.125, probs, 0, 0, wall, false, null), 0);
      a.onTrain(new TrainRecord("vae", 10, 400, Double.NaN, 5, 50, 1, wall));
      JsonObject t = a.snapshot(wall + 100, new TelemetryAggregator.MemoryReading(10, 15, 20, Double.NaN, Double.NaN));
      assertThat(new JsonObject(t.encode())).isEqualTo(t);
      assertThat(t.getLong("ticks")).isEqualTo(5);
      JsonObject vae = t.getJsonObject("models").getJsonObject("vae");
      assertThat(vae.getLong("policy_lag")).isEqualTo(2);
      assertThat(vae.getJsonObject("buffer").getDouble("fill")).isEqualTo(0.5);
      assertThat(vae.getValue("loss")).isNull();
      assertThat(t.getJsonObject("models").getJsonObject("fd").getLong("version_in_use")).isEqualTo(7);
      assertThat(t.getJsonObject("reward").getDouble("last")).isEqualTo(0.125);
      assertThat(t.getJsonObject("actions").getJsonObject("last").getJsonArray("horizontal").getList())
          .containsExactly(1.0, 0.0, 0.0);
      assertThat(t.getJsonObject("actions").getJsonObject("mean").getJsonArray("jump").getList())
          .containsExactly(0.25, 0.75);
      assertThat(t.getJsonObject("memory").getValue("rss_mb")).isNull();
      assertThat(t.getJsonObject("action")).isEqualTo(new JsonObject().put("index", 0).put("vertical", -1)
          .put("horizontal", -1).put("look", -1).put("jump", 0).put("run", 0));
    }

    @Test
    @DisplayName("thumbnails are PNG data URLs of the frame's size")
    void thumbnail() throws Exception {
      float[] chw = new float[3 * 4 * 6];
      chw[0] = 1f;
      String url = Thumbnails.pngDataUrl(chw, 4, 6);
      assertThat(url).startsWith("data:image/png;base64,");
      var image = ImageIO.read(new java.io.ByteArrayInputStream(Base64.getDecoder()
          .decode(url.substring(url.indexOf(',') + 1))));
      assertThat(image.getWidth()).isEqualTo(6);
      assertThat(image.getHeight()).isEqualTo(4);
      assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xff0000);
    }
  }

  @Nested
  @DisplayName("slow clients")
  class Sessions {
    @Test
    @DisplayName("pushes are dropped while the client is behind; replies are kept and reading pauses")
    void dropsPushes() {
      List<String> sent = new ArrayList<>();
      boolean[] full = {false};
      int[] holds = {0};
      ClientSession s = new ClientSession(new ClientSession.Outbox() {
        @Override
        public boolean full() {
          return full[0];
        }

        @Override
        public void send(String text) {
          sent.add(text);
        }

        @Override
        public void holdRequests() {
          holds[0]++;
        }
      });
      s.subscribe(Set.of(Topic.TELEMETRY));
      assertThat(s.push("a")).isTrue();
      full[0] = true;
      assertThat(s.push("b")).isFalse();
      s.reply("r");
      assertThat(sent).containsExactly("a", "r");
      assertThat(s.dropped()).isEqualTo(1);
      assertThat(holds[0]).isEqualTo(1);
    }
  }
}
