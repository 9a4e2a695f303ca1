package dev.ami.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import dev.ami.capture.FrameConverter;
import dev.ami.capture.FrameStreamer;
import dev.ami.env.Action;
import dev.ami.osc.InputState;
import dev.ami.osc.OscActuator;
import dev.ami.system.FreePort;
import dev.ami.telemetry.Samples;
import dev.ami.world.sim.Renderer;
import dev.ami.world.sim.World;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Per-frame costs of real-world I/O, each on one thread: capture-to-tensor (a 1280x720 RGB frame cropped,
 * resized and laid out CHW, as from OBS Virtual Camera), the same with FFmpeg decoding in front, the built-in
 * world's render, and the agent-side cost of an OSC action. Prints one JSON object as its last line.
 */
@Command(name = "bench-io", mixinStandardHelpOptions = true,
    description = "Measure capture-to-tensor, world render and OSC action cost per frame.")
public final class BenchIoCommand implements Callable<Integer> {
  private static final int SOURCE_WIDTH = 1280;
  private static final int SOURCE_HEIGHT = 720;

  @Option(names = "--frames", defaultValue = "500", description = "measured frames per figure (after warm-up)")
  int frames;

  @Override
  public Integer call() throws Exception {
    JsonObject out = new JsonObject().put("frames", frames)
        .put("source", SOURCE_WIDTH + "x" + SOURCE_HEIGHT + " RGB24");
    for (int side : new int[] {84, 144}) {
      out.put("convert_" + side + "_ms", summary(convert(side)));
    }
    Path video = Files.createTempFile("ami-bench-io", ".mp4");
    try {
      writeVideo(video);
      for (int side : new int[] {84, 144}) {
        out.put("decode_convert_" + side + "_ms", summary(decodeAndConvert(video, side)));
      }
    } finally {
      Files.deleteIfExists(video);
    }
    for (int side : new int[] {64, 84, 144}) {
      out.put("world_render_" + side + "_ms", summary(render(side, side)));
    }
    out.put("world_render_320x240_ms", summary(render(320, 240)));
    out.put("osc_act_call_ms", summary(oscAct()));
    System.out.println(out.encode());
    return 0;
  }

  private Samples convert(int side) {
    Samples s = new Samples();
    try (Mat frame = noise(); FrameConverter c = new FrameConverter(side, side)) {
      for (int i = -frames / 5; i < frames; i++) {
        long t0 = System.nanoTime();
        c.convert(frame);
        record(s, i, t0);
      }
    }
    return s;
  }

  private Samples decodeAndConvert(Path video, int side) throws Exception {
    Samples s = new Samples();
    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile()); FrameConverter c = new FrameConverter(side, side)) {
      g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
      g.start();
      for (int i = -frames / 5; i < frames; i++) {
        long t0 = System.nanoTime();
        org.bytedeco.javacv.Frame f = g.grabImage();
        if (f == null) {
          g.setTimestamp(0);
          f = g.grabImage();
        }
        c.convert(f);
        record(s, i, t0);
      }
    }
    return s;
  }

  private Samples render(int width, int height) {
    Samples s = new Samples();
    World world = new World();
    Renderer r = new Renderer(width, height);
    byte[] rgb = new byte[width * height * 3];
    InputState walkAndTurn = new InputState(1f, 0f, 1f, 0, 0);
    for (int i = -frames / 5; i < frames; i++) {
      world.step(walkAndTurn, 1 / 30.0);
      long t0 = System.nanoTime();
      r.render(world, rgb);
      record(s, i, t0);
    }
    return s;
  }

  private Samples oscAct() throws Exception {
    Samples s = new Samples();
    try (OscActuator osc = OscActuator.open("127.0.0.1", FreePort.udp(), 1000, 0)) {
      for (int i = -frames / 5; i < frames; i++) {
        Action a = Action.fromIndex(Math.floorMod(i * 37, Action.COUNT));
        long t0 = System.nanoTime();
        osc.act(a);
        record(s, i, t0);
        Thread.sleep(1);
      }
    }
    return s;
  }

  private void writeVideo(Path file) throws Exception {
    try (Mat picture = noise();
         FrameStreamer out = new FrameStreamer(file.toString(), "mp4", SOURCE_WIDTH, SOURCE_HEIGHT, 30)) {
      for (int i = 0; i < 60; i++) {
        out.write(picture);
      }
    }
  }

  private static Mat noise() {
    Mat m = new Mat(SOURCE_HEIGHT, SOURCE_WIDTH, CV_8UC3);
    byte[] bytes = new byte[SOURCE_WIDTH * SOURCE_HEIGHT * 3];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) random.nextInt(256);
    }
    m.data().put(bytes);
    return m;
  }

  private static void record(Samples s, int i, long t0) {
    if (i >= 0) { // negative indices are warm-up
      s.add((System.nanoTime() - t0) / 1e6);
    }
  }

  private static JsonObject summary(Samples s) {
    return new JsonObject().put("p50", round(s.percentile(50))).put("p99", round(s.percentile(99)))
        .put("max", round(s.max()));
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
