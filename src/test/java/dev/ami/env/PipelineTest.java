package dev.ami.env;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.Event;
import dev.ami.bus.ObservationRecord;
import dev.ami.bus.TickRecord;
import dev.ami.capture.FfmpegFrameSource;
import dev.ami.capture.TestVideos;
import dev.ami.config.CaptureOptions;
import dev.ami.config.SimOptions;
import dev.ami.osc.OscRecorder;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import dev.ami.system.FreePort;
import dev.ami.world.sim.SimWorld;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the agent's real I/O path, end to end")
class PipelineTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** The runtime with trainers that never train: these tests are about the agent's I/O. */
  private static TestRuntime start(Map<String, ?> overrides) throws Exception {
    return TestRuntime.start(TestRuntime.with(TestRuntime.IDLE_TRAINER, overrides));
  }

  @Test
  @RuntimeTest
  @DisplayName("default run: agent -> OSC over UDP loopback -> built-in world -> frames -> agent")
  void defaultPipeline() throws Exception {
    try (TestRuntime system = start(Map.of("env", "sim", "agent.hz", 20, "telemetry.frame_hz", 10))) {
      List<float[]> seen = new CopyOnWriteArrayList<>();
      system.vertx().eventBus().<ObservationRecord>consumer(Addresses.TELEMETRY_FRAME, m -> seen.add(m.body().chw()));
      awaitUntil(() -> system.agentCommand("status").getLong("ticks") >= 40, "the agent ticks 40 times");
      JsonObject status = system.agentCommand("status");
      JsonObject source = status.getJsonObject("source");
      assertThat(source.getBoolean("up")).isTrue();
      assertThat(status.getLong("no_frame_ticks")).isLessThan(status.getLong("ticks") / 4);
      assertThat(oscMessagesReceived(source.getString("detail"))).isPositive();
      // the world only changes when OSC moves the avatar: different views prove the loop is closed
      assertThat(seen.stream().map(Arrays::hashCode).distinct().count()).isGreaterThan(1);
    }
  }

  @Test
  @RuntimeTest
  @DisplayName("captured stream + OSC on the wire: inputs go to 0 on pause, source loss and shutdown; acting resumes")
  void neutralOnPauseSourceLossAndShutdown() throws Exception {
    int streamPort = FreePort.udp();
    try (OscRecorder vrchat = new OscRecorder()) {
      TestVideos.UdpStream stream = new TestVideos.UdpStream(streamPort, 200, 120, 40);
      TestRuntime system = start(Map.of("env", "video", "osc.enabled", true, "osc.port", vrchat.port(),
          "capture.input", "udp://127.0.0.1:" + streamPort, "capture.format", "mpegts", "capture.timeout_ms", 800,
          "capture.stale_ms", 400, "capture.backoff_ms", 100, "agent.hz", 20));
      List<TickRecord> ticks = new CopyOnWriteArrayList<>();
      system.vertx().eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> {
        if (ticks.size() < 100_000) {
          ticks.add(m.body());
        }
      });
      try (system) {
        assertThat(vrchat.await(OscRecorder::anyNonZero, WAIT)).as("agent acts over OSC").isTrue();
        awaitUntil(() -> source(system).getBoolean("up"), "the stream is up");

        system.agentCommand("pause");
        assertThat(vrchat.await(OscRecorder::allZero, WAIT)).as("all inputs 0 on pause").isTrue();
        system.agentCommand("resume");
        assertThat(vrchat.await(OscRecorder::anyNonZero, WAIT)).as("acting again after resume").isTrue();

        int eventsBefore = system.events().size();
        stream.close(); // the source vanishes mid-run
        assertThat(vrchat.await(OscRecorder::allZero, WAIT)).as("all inputs 0 while blind").isTrue();
        awaitUntil(() -> hasEventSince(system, eventsBefore, "source-down"), "a source-down event");
        long blindBefore = system.agentCommand("status").getLong("no_frame_ticks");
        awaitUntil(() -> system.agentCommand("status").getLong("no_frame_ticks") > blindBefore,
            "blind ticks: holding, not acting");
        awaitUntil(() -> source(system).getString("detail").startsWith("down"), "the source says it is down");
        awaitUntil(() -> ticks.stream().anyMatch(TickRecord::blind), "a blind tick on the bus");
        assertThat(ticks).filteredOn(TickRecord::blind).as("blind ticks are ticks that ran no model")
            .allSatisfy(t -> assertThat(t.models()).isEmpty());

        stream = new TestVideos.UdpStream(streamPort, 40, 120, 200); // ... and comes back
        awaitUntil(() -> source(system).getLong("reconnects") > 0, "the source reconnects");
        awaitUntil(() -> hasEventSince(system, eventsBefore, "source-up"), "a source-up event");
        assertThat(vrchat.await(OscRecorder::anyNonZero, WAIT)).as("acting resumes by itself").isTrue();

        system.stop();
        assertThat(vrchat.await(OscRecorder::allZero, WAIT)).as("all inputs 0 on shutdown").isTrue();
      } finally {
        stream.close();
      }
    }
  }

  @Test
  @DisplayName("the world streams itself over UDP and FFmpeg capture sees the same view, without VRChat")
  void worldStreamsItself() throws Exception {
    int port = FreePort.udp();
    SimOptions options = new SimOptions(FreePort.udp(), 25, 160, 120, 64, "udp://127.0.0.1:" + port, "mpegts", "room");
    try (SimWorld world = new SimWorld(options);
         FfmpegFrameSource capture = new FfmpegFrameSource(
             CaptureOptions.of("udp://127.0.0.1:" + port, "mpegts", 64).withTimeouts(5000, 1000, 100))) {
      world.start();
      awaitUntil(() -> world.latest() != null, "the world renders"); // streaming, like OBS before the agent starts
      capture.start();
      awaitUntil(() -> capture.stats().frames() > 10 && capture.latest() != null, "capture sees frames");
      float[] seen = capture.latest().chw();
      float[] rendered = world.latest().chw();
      double diff = 0;
      for (int i = 0; i < seen.length; i++) {
        diff += Math.abs(seen[i] - rendered[i]);
      }
      assertThat(diff / seen.length).as("mean absolute difference after MPEG-2 over UDP").isLessThan(0.06);
    }
  }

  private static long oscMessagesReceived(String detail) {
    Matcher m = Pattern.compile("(\\d+) OSC messages").matcher(detail);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  private static JsonObject source(TestRuntime system) throws Exception {
    return system.agentCommand("status").getJsonObject("source");
  }

  private static boolean hasEventSince(TestRuntime system, int from, String kind) {
    List<Event> events = system.events();
    return events.subList(from, events.size()).stream().anyMatch(e -> e.kind().equals(kind));
  }

  private static void awaitUntil(Await.Condition condition, String what) throws Exception {
    Await.until(WAIT, condition, what);
  }
}
