package dev.ami.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.ami.config.CaptureOptions;
import dev.ami.env.Frame;
import dev.ami.env.SourceStats;
import dev.ami.support.Await;
import dev.ami.system.FreePort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("FFmpeg capture into the model's tensor")
class FfmpegFrameSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  @Test
  @DisplayName("an mp4 made by FFmpegFrameRecorder: every frame arrives, 3x84x84 in [0,1], patch where expected")
  void fileCapture() throws Exception {
    Path video = TestVideos.patchVideo(dir, 24, 24);
    List<Frame> seen = new ArrayList<>();
    try (FfmpegFrameSource source = new FfmpegFrameSource(CaptureOptions.of(video.toString(), "", 84))) {
      source.start();
      awaitStats(source, s -> !s.up() && s.frames() == 24, seen);
      assertThat(source.stats().frames()).isEqualTo(24);
    }
    assertThat(seen).isNotEmpty();
    Frame f = seen.get(seen.size() - 1);
    assertThat(f.height()).isEqualTo(84);
    assertThat(f.width()).isEqualTo(84);
    assertThat(f.chw()).hasSize(3 * 84 * 84);
    for (float v : f.chw()) {
      assertThat(v).isBetween(0f, 1f);
    }
    // the centre square fills the frame: red top-left quarter, green elsewhere, no blue side bands
    assertThat(rgb(f, 21, 21)).containsExactly(new float[] {1, 0, 0}, within());
    assertThat(rgb(f, 63, 63)).containsExactly(new float[] {0, 1, 0}, within());
    assertThat(rgb(f, 21, 63)).containsExactly(new float[] {0, 1, 0}, within());
    for (int y = 4; y < 80; y += 8) {
      assertThat(rgb(f, y, 1)[2]).isLessThan(0.3f);
      assertThat(rgb(f, y, 82)[2]).isLessThan(0.3f);
    }
  }

  @Test
  @DisplayName("a looping file keeps delivering frames past its end")
  void loops() throws Exception {
    Path video = TestVideos.patchVideo(dir, 5, 25);
    try (FfmpegFrameSource source = new FfmpegFrameSource(CaptureOptions.of(video.toString(), "", 32)
        .withLoop(true))) {
      source.start();
      awaitStats(source, s -> s.frames() > 12, new ArrayList<>());
      assertThat(source.stats().up()).isTrue();
    }
  }

  @Test
  @DisplayName("a libavdevice input (lavfi test pattern, the same path as v4l2 and x11grab) delivers live frames")
  void deviceInput() throws Exception {
    boolean libpulse = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libpulse.so.0"));
    String reason = "FFmpeg's device inputs need Debian's libpulse0 (apt-get install -y libpulse0; .ci/run does)";
    if ("true".equals(System.getenv("CI"))) {
      assertThat(libpulse).as(reason).isTrue(); // CI installs it: a skip there would hide a broken setup
    }
    Assumptions.assumeTrue(libpulse, reason);
    CaptureOptions lavfi = CaptureOptions.of("testsrc=size=320x240:rate=25", "lavfi", 32);
    try (FfmpegFrameSource source = new FfmpegFrameSource(lavfi)) {
      source.start();
      awaitStats(source, s -> s.up() && s.frames() > 10, new ArrayList<>());
      assertThat(source.latest().chw()).hasSize(3 * 32 * 32);
    }
  }

  @Test
  @DisplayName("a video device that does not exist fails at start with a clear message")
  void missingDevice() {
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      FfmpegFrameSource source = new FfmpegFrameSource(CaptureOptions.of("/dev/video99", "v4l2", 84));
      assertThatThrownBy(source::start).isInstanceOf(CaptureException.class)
          .hasMessageContaining("/dev/video99").hasMessageContaining("does not exist");
    });
  }

  @Test
  @DisplayName("something that is not a camera fails at start with FFmpeg's reason")
  void notACamera() {
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      FfmpegFrameSource source = new FfmpegFrameSource(CaptureOptions.of("/dev/null", "v4l2", 84));
      assertThatThrownBy(source::start).isInstanceOf(CaptureException.class)
          .hasMessageContaining("cannot open v4l2 input '/dev/null'");
    });
  }

  @Test
  @DisplayName("a stream that stops marks the source down; when it returns the source reconnects by itself")
  void reconnects() throws Exception {
    int port = FreePort.udp();
    CaptureOptions options = CaptureOptions.of("udp://127.0.0.1:" + port, "mpegts", 32).withTimeouts(800, 400, 100);
    try (FfmpegFrameSource source = new FfmpegFrameSource(options)) {
      try (TestVideos.UdpStream stream = new TestVideos.UdpStream(port, 255, 0, 0)) {
        source.start();
        awaitStats(source, s -> s.up() && s.frames() > 5, new ArrayList<>());
      }
      awaitStats(source, s -> !s.up(), new ArrayList<>());
      assertThat(source.latest()).isNull(); // no picture is shown once it is stale
      awaitStats(source, s -> s.detail().startsWith("down"), new ArrayList<>()); // the read timed out
      long before = source.stats().frames();
      try (TestVideos.UdpStream stream = new TestVideos.UdpStream(port, 0, 0, 255)) {
        awaitStats(source, s -> s.up() && s.reconnects() >= 1 && s.frames() > before + 5, new ArrayList<>());
        Frame f = source.latest();
        assertThat(f).isNotNull();
        assertThat(rgb(f, 16, 16)[2]).isGreaterThan(0.7f);
      }
    }
  }

  private static void awaitStats(FfmpegFrameSource source, Predicate<SourceStats> done, List<Frame> seen)
      throws Exception {
    Await.until(WAIT, () -> {
      Frame f = source.latest();
      if (f != null) {
        seen.add(f);
      }
      return done.test(source.stats());
    }, () -> "the source's stats, now " + source.stats());
  }

  static float[] rgb(Frame f, int y, int x) {
    int plane = f.height() * f.width();
    int i = y * f.width() + x;
    return new float[] {f.chw()[i], f.chw()[plane + i], f.chw()[2 * plane + i]};
  }

  private static org.assertj.core.data.Offset<Float> within() {
    return org.assertj.core.data.Offset.offset(0.15f);
  }
}
