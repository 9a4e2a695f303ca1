package dev.ami.recording;

import dev.ami.capture.FrameStreamer;
import dev.ami.config.RecordOptions;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the recording's segments: {@code <UTC start>.mp4} with the frames at the agent's rate and
 * {@code <UTC start>.jsonl} beside it, one line per tick. A segment ends after {@code record.segment} or when the
 * frame size changes; then the oldest segments go until the folder is under {@code record.max_gb}. Runs on the
 * recorder's own thread only.
 */
final class SegmentWriter implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentWriter.class);
  private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("uuuuMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private final Path dir;
  private final RecordOptions options;
  private FrameStreamer video;
  private BufferedWriter lines;
  private Path videoFile;
  private long segmentStartMillis;
  private int width;
  private int height;
  private int framesInSegment;
  private Mat rgb;
  private byte[] packed;

  SegmentWriter(Path dir, RecordOptions options) {
    this.dir = dir;
    this.options = options;
  }

  /**
   * Writes one tick: its frame into the video (when it has one) and its line.
   *
   * @param line makes the line from the frame's index in the video, or null when it has no frame here
   */
  void write(long wallMillis, float[] chw, int h, int w, java.util.function.Function<Integer, String> line)
      throws IOException {
    if (lines == null || wallMillis - segmentStartMillis >= options.segmentS() * 1000
        || (chw != null && video != null && (h != height || w != width))) {
      rollOver(wallMillis, h, w, chw != null);
    }
    Integer frame = null;
    if (chw != null) {
      if (video == null) {
        openVideo(h, w);
      }
      video.write(toMat(chw, h, w));
      frame = framesInSegment++;
    }
    lines.write(line.apply(frame));
    lines.newLine();
  }

  private void rollOver(long wallMillis, int h, int w, boolean withFrame) throws IOException {
    closeSegment();
    Files.createDirectories(dir);
    String base = NAME.format(Instant.ofEpochMilli(wallMillis));
    String name = base;
    for (int i = 2; Files.exists(dir.resolve(name + ".jsonl")); i++) {
      name = base + "-" + i;
    }
    segmentStartMillis = wallMillis;
    videoFile = dir.resolve(name + ".mp4");
    lines = Files.newBufferedWriter(dir.resolve(name + ".jsonl"), StandardCharsets.UTF_8);
    framesInSegment = 0;
    if (withFrame) {
      openVideo(h, w);
    }
    enforceCap();
  }

  private void openVideo(int h, int w) throws IOException {
    height = h;
    width = w;
    video = new FrameStreamer(videoFile.toString(), "mp4", w, h, options.hz());
    if (rgb != null) {
      rgb.close();
    }
    rgb = new Mat(h, w, opencv_core.CV_8UC3);
    packed = new byte[h * w * 3];
  }

  private Mat toMat(float[] chw, int h, int w) {
    int plane = h * w;
    for (int i = 0; i < plane; i++) {
      packed[3 * i] = unit(chw[i]);
      packed[3 * i + 1] = unit(chw[plane + i]);
      packed[3 * i + 2] = unit(chw[2 * plane + i]);
    }
    rgb.data().put(packed);
    return rgb;
  }

  private static byte unit(float v) {
    return (byte) Math.round(Math.max(0f, Math.min(1f, Float.isFinite(v) ? v : 0f)) * 255f);
  }

  /** Pushes the lines written so far to the file (the video's packets go as FFmpeg writes them). */
  void flush() throws IOException {
    if (lines != null) {
      lines.flush();
    }
  }

  private void closeSegment() throws IOException {
    if (video != null) {
      video.close(); // writes the mp4's index: a segment is playable once closed
      video = null;
    }
    if (lines != null) {
      lines.close();
      lines = null;
    }
  }

  /** Deletes the oldest segments (video and lines together) until the recordings fit under the cap. */
  private void enforceCap() throws IOException {
    List<Path> jsonl;
    try (Stream<Path> s = Files.list(dir)) {
      jsonl = new ArrayList<>(s.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted().toList());
    }
    long total = 0;
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        total += Files.size(p);
      }
    }
    Path current = lines == null ? null : videoFile.resolveSibling(videoFile.getFileName().toString()
        .replace(".mp4", ".jsonl"));
    jsonl.sort(Comparator.naturalOrder());
    for (Path old : jsonl) {
      if (total <= options.maxBytes() || old.equals(current)) {
        break;
      }
      Path mp4 = old.resolveSibling(old.getFileName().toString().replace(".jsonl", ".mp4"));
      long freed = Files.size(old) + (Files.exists(mp4) ? Files.size(mp4) : 0);
      Files.deleteIfExists(mp4);
      Files.delete(old);
      total -= freed;
      LOG.info("recording over record.max_gb ({} GB): deleted segment {}", options.maxGb(), old.getFileName());
    }
  }

  @Override
  public void close() throws IOException {
    closeSegment();
    if (rgb != null) {
      rgb.close();
      rgb = null;
    }
  }
}
