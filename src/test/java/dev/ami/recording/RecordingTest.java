package dev.ami.recording;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.ModelTick;
import dev.ami.bus.Place;
import dev.ami.bus.TickRecord;
import dev.ami.config.RecordOptions;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Recordings played back with FFmpeg: the video's frames are exactly the JSONL lines that name a frame. */
class RecordingTest {

  /** Frames in the video, counted by decoding it. */
  static int decodedFrames(Path mp4) throws Exception {
    int n = 0;
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
      g.start();
      while (g.grabImage() != null) {
        n++;
      }
      g.stop();
    }
    return n;
  }

  static List<JsonObject> lines(Path jsonl) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    for (String l : Files.readAllLines(jsonl)) {
      out.add(new JsonObject(l));
    }
    return out;
  }

  static List<Path> segments(Path dir, String ext) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(ext)).sorted().toList();
    }
  }

  @Test
  @RuntimeTest
  @DisplayName("a live run records every tick: video frames and JSONL lines with frames agree, indices in order")
  void liveRun() throws Exception {
    Path recordings;
    try (TestRuntime rt = TestRuntime.start(Map.of("env", "sim", "agent.hz", 20, "record.enabled", true))) {
      recordings = rt.runFolder().recordings();
      rt.awaitTicks(60);
    }
    List<Path> jsonl = segments(recordings, ".jsonl");
    assertThat(jsonl).hasSize(1);
    List<JsonObject> lines = lines(jsonl.get(0));
    assertThat(lines.size()).isGreaterThanOrEqualTo(60);
    JsonObject first = lines.get(0);
    assertThat(first.fieldNames()).contains("tick", "wall_ms", "action", "reward", "versions", "entropy", "cell",
        "room", "frame");
    assertThat(first.getJsonArray("action")).hasSize(5);
    assertThat(lines.get(lines.size() - 1).getJsonObject("versions").fieldNames()).as("once the models are in")
        .contains("fd", "policy"); // the VAE's encoder comes with fd (reward.encoder=paired)
    long withFrame = lines.stream().filter(l -> l.getValue("frame") != null).count();
    assertThat(withFrame).as("the writer kept up with 20 Hz").isGreaterThan(lines.size() / 2);
    int expected = 0;
    for (JsonObject l : lines) {
      if (l.getValue("frame") != null) {
        assertThat(l.getInteger("frame")).isEqualTo(expected++);
      }
    }
    Path mp4 = jsonl.get(0).resolveSibling(jsonl.get(0).getFileName().toString().replace(".jsonl", ".mp4"));
    assertThat(decodedFrames(mp4)).isEqualTo((int) withFrame);
    for (int i = 1; i < lines.size(); i++) {
      assertThat(lines.get(i).getLong("tick")).isGreaterThan(lines.get(i - 1).getLong("tick"));
    }
  }

  @Test
  @DisplayName("segments roll over by time, and the oldest are deleted past record.max_gb")
  void segmentsAndCap() throws Exception {
    Path dir = TestRuntime.tempDir("ami-rec");
    RecordOptions options = new RecordOptions(true, 1, 0.000_03, 10); // 1 s segments of about 11 kB, 30 kB in all
    float[] chw = new float[3 * 32 * 32];
    try (SegmentWriter w = new SegmentWriter(dir, options)) {
      for (int t = 0; t < 60; t++) {
        for (int i = 0; i < chw.length; i++) {
          chw[i] = (float) ((i * 7919 + t * 104_729) % 1000) / 1000f; // noise: every frame costs bytes
        }
        TickRecord r = new TickRecord(t + 1, 0, 0, 0, Map.of("policy", new ModelTick(3, 3, 0, 0, 0)), 0.5,
            null, 0, 0, 1_000_000L + t * 100L, false, new Place(1, 2, 0));
        boolean blind = t % 10 == 9;
        w.write(r.wallMillis(), blind ? null : chw, 32, 32, index -> TickLine.of(r, index));
      }
    }
    List<Path> jsonl = segments(dir, ".jsonl");
    List<Path> mp4 = segments(dir, ".mp4");
    assertThat(jsonl.size()).as("6 s of ticks in 1 s segments, the oldest deleted").isBetween(2, 4);
    assertThat(mp4).hasSameSizeAs(jsonl);
    long total = 0;
    for (Path p : segments(dir, "")) {
      total += Files.size(p);
    }
    assertThat(total).as("within the cap but for the segment being written").isLessThan(2 * 30_000L);
    Path last = jsonl.get(jsonl.size() - 1);
    List<JsonObject> lines = lines(last);
    long withFrame = lines.stream().filter(l -> l.getValue("frame") != null).count();
    assertThat(decodedFrames(mp4.get(mp4.size() - 1))).isEqualTo((int) withFrame);
    assertThat(lines.stream().filter(l -> l.getValue("frame") == null).count()).as("blind ticks keep a line")
        .isPositive();
  }
}
