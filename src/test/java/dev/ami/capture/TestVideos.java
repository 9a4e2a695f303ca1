package dev.ami.capture;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;

/** Videos the capture tests make for themselves with FFmpeg. */
public final class TestVideos {
  static final int WIDTH = 160;
  static final int HEIGHT = 120;

  private TestVideos() {
  }

  /**
   * A 4:3 picture whose centre square is green with a red top-left quarter, and whose side bands (which a
   * square crop removes) are blue. RGB order.
   */
  static Mat patchPicture() {
    Mat m = new Mat(HEIGHT, WIDTH, CV_8UC3, new Scalar(0, 0, 255, 0));
    int side = HEIGHT;
    int left = (WIDTH - side) / 2;
    try (Mat centre = new Mat(m, new org.bytedeco.opencv.opencv_core.Rect(left, 0, side, side));
         Mat quarter = new Mat(m, new org.bytedeco.opencv.opencv_core.Rect(left, 0, side / 2, side / 2))) {
      centre.put(new Scalar(0, 255, 0, 0));
      quarter.put(new Scalar(255, 0, 0, 0));
    }
    return m;
  }

  /** Writes {@code frames} copies of the patch picture as an mp4. */
  public static Path patchVideo(Path dir, int frames, double fps) throws Exception {
    Path file = dir.resolve("patch.mp4");
    try (Mat picture = patchPicture();
         FrameStreamer out = new FrameStreamer(file.toString(), "mp4", WIDTH, HEIGHT, fps)) {
      for (int i = 0; i < frames; i++) {
        out.write(picture);
      }
    }
    return file;
  }

  /** Streams a solid picture as MPEG-TS over UDP from its own thread until stopped, like OBS would. */
  public static final class UdpStream implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public UdpStream(int port, int r, int g, int b) throws Exception {
      FrameStreamer out = new FrameStreamer("udp://127.0.0.1:" + port, "mpegts", WIDTH, HEIGHT, 25);
      thread = new Thread(() -> {
        try (out; Mat picture = new Mat(HEIGHT, WIDTH, CV_8UC3, new Scalar(r, g, b, 0))) {
          while (running.get()) {
            out.write(picture);
            TimeUnit.MILLISECONDS.sleep(40);
          }
        } catch (Exception e) {
          // stopping
        }
      }, "test-udp-stream");
      thread.start();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(5000);
    }
  }
}
