package dev.ami.env;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.ObservationRecord;
import dev.ami.capture.FfmpegFrameSource;
import dev.ami.capture.TestVideos;
import dev.ami.config.CaptureOptions;
import dev.ami.config.SimOptions;
import dev.ami.osc.OscRecorder;
import dev.ami.system.FreePort;
import dev.ami.world.sim.SimWorld;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("the agent's real I/O path, end to end")
class PipelineTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @Test
  @DisplayName("default run: agent -> OSC over UDP loopback -> built-in world -> frames -> agent")
  void defaultPipeline() throws Exception {
    try (RunningSystem system = new RunningSystem("agent.hz=20", "telemetry.frame_hz=10")) {
      List<float[]> seen = new CopyOnWriteArrayList<>();
      system.vertx.eventBus().<ObservationRecord>consumer(Addresses.TELEMETRY_FRAME, m -> seen.add(m.body().chw()));
      awaitUntil(() -> system.agentStatus().getLong("ticks") >= 40);
      JsonObject status = system.agentStatus();
      JsonObject source = status.getJsonObject("source");
      assertThat(source.getBoolean("up")).isTrue();
      assertThat(status.getLong("no_frame_ticks")).isLessThan(status.getLong("ticks") / 4);
      assertThat(oscMessagesReceived(source.getString("detail"))).isPositive();
      // the world only changes when OSC moves the avatar: different views prove the loop is closed
      assertThat(seen.stream().map(Arrays::hashCode).distinct().count()).isGreaterThan(1);
    }
  }

  @Test
  @DisplayName("captured stream + OSC on the wire: inputs go to 0 on pause, source loss and shutdown; acting resumes")
  void neutralOnPauseSourceLossAndShutdown() throws Exception {
    int streamPort = FreePort.udp();
    try (OscRecorder vrchat = new OscRecorder()) {
      TestVideos.UdpStream stream = new TestVideos.UdpStream(streamPort, 200, 120, 40);
      RunningSystem system = new RunningSystem("env=video", "osc.enabled=true", "osc.port=" + vrchat.port(),
          "capture.input=udp://127.0.0.1:" + streamPort, "capture.format=mpegts", "capture.timeout_ms=800",
          "capture.stale_ms=400", "capture.backoff_ms=100", "agent.hz=20");
      try (system) {
        assertThat(vrchat.await(OscRecorder::anyNonZero, WAIT)).as("agent acts over OSC").isTrue();
        awaitUntil(() -> system.agentStatus().getJsonObject("source").getBoolean("up"));
        system.events.clear();

        system.command("pause");
        assertThat(vrchat.await(OscRecorder::allZero, WAIT)).as("all inputs 0 on pause").isTrue();
        system.command("resume");
        assertThat(vrchat.await(OscRecorder::anyNonZero, WAIT)).as("acting again after resume").isTrue();

        stream.close(); // the source vanishes mid-run
        assertThat(vrchat.await(OscRecorder::allZero, WAIT)).as("all inputs 0 while blind").isTrue();
        awaitUntil(() -> system.hasEvent("source-down"));
        long blindBefore = system.agentStatus().getLong("no_frame_ticks");
        awaitUntil(() -> system.agentStatus().getLong("no_frame_ticks") > blindBefore); // holding, not acting
        awaitUntil(() -> system.agentStatus().getJsonObject("source").getString("detail").startsWith("down"));
        awaitUntil(() -> system.ticks.stream().anyMatch(dev.ami.bus.TickRecord::blind));
        assertThat(system.ticks).filteredOn(dev.ami.bus.TickRecord::blind).as("blind ticks are ticks that ran no model")
            .allSatisfy(t -> assertThat(t.models()).isEmpty());

        stream = new TestVideos.UdpStream(streamPort, 40, 120, 200); // ... and comes back
        awaitUntil(() -> system.agentStatus().getJsonObject("source").getLong("reconnects") > 0);
        awaitUntil(() -> system.hasEvent("source-up"));
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
      awaitUntil(() -> world.latest() != null); // streaming, like OBS before the agent starts
      capture.start();
      awaitUntil(() -> capture.stats().frames() > 10 && capture.latest() != null);
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

  interface Check {
    boolean ok() throws Exception;
  }

  static void awaitUntil(Check check) throws Exception {
    long end = System.nanoTime() + WAIT.toNanos();
    while (!check.ok()) {
      assertThat(System.nanoTime()).as("condition not met in time").isLessThan(end);
      Thread.sleep(20);
    }
  }
}
