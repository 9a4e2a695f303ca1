package dev.ami.capture;

import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import dev.ami.config.CaptureOptions;
import dev.ami.env.Frame;
import dev.ami.env.FrameSource;
import dev.ami.env.LatestFrame;
import dev.ami.env.SourceStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frames from any FFmpeg input: a V4L2 or dshow device (OBS Virtual Camera), an x11grab screen region, a
 * network stream or a file. Capture runs on a thread of its own and keeps only the newest frame, so the
 * agent never waits for it.
 *
 * <p>{@link #start()} opens the input once and fails at once with a clear message when it cannot. Later
 * failures (the device vanishes, the stream stops) mark the source down, so the agent holds still, and the
 * thread reopens the input with exponential backoff until frames come back. A file that is not looped ends
 * at its last frame and stays down.
 */
public final class FfmpegFrameSource implements FrameSource {
  private static final Logger LOG = LoggerFactory.getLogger(FfmpegFrameSource.class);

  private final CaptureOptions options;
  private final LatestFrame latest;
  private final AtomicLong reconnects = new AtomicLong();
  private volatile boolean running;
  private volatile boolean up;
  private volatile String detail = "not started";
  private Thread thread;
  private long sequence;

  public FfmpegFrameSource(CaptureOptions options) {
    this.options = options;
    this.latest = new LatestFrame(options.staleMs());
  }

  @Override
  public void start() throws CaptureException {
    FFmpegFrameGrabber first = open();
    running = true;
    markUp();
    thread = new Thread(() -> run(first), "ami-capture");
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public Frame latest() {
    return latest.latest();
  }

  @Override
  public SourceStats stats() {
    boolean fresh = latest.fresh();
    return latest.stats(up && fresh, reconnects.get(),
        up && !fresh ? "stalled: no new frame for over " + options.staleMs() + " ms, " + detail : detail);
  }

  private void run(FFmpegFrameGrabber first) {
    FFmpegFrameGrabber grabber = first;
    long backoff = options.backoffMs();
    try (FrameConverter converter = new FrameConverter(options.pictureSize(), options.pictureSize(),
        options.tensorSize(), options.tensorSize())) {
      while (running) {
        String why = pump(grabber, converter);
        release(grabber);
        grabber = null;
        if (!running) {
          break;
        }
        markDown(why);
        if (isFile() && !options.loop()) {
          LOG.info("capture: {} ended", options.describe());
          return;
        }
        while (running && grabber == null) {
          sleep(backoff);
          try {
            grabber = open();
            reconnects.incrementAndGet();
            backoff = options.backoffMs();
            markUp();
          } catch (CaptureException e) {
            detail = "down, retrying in " + Math.min(backoff * 2, options.backoffMaxMs()) + " ms: " + e.getMessage();
            backoff = Math.min(backoff * 2, options.backoffMaxMs());
          }
        }
      }
    } finally {
      release(grabber);
      up = false;
      latest.setOpen(false);
    }
  }

  /** Grabs until the input ends or fails; returns why it stopped. */
  private String pump(FFmpegFrameGrabber grabber, FrameConverter converter) {
    Pacer pacer = new Pacer();
    try {
      while (running) {
        org.bytedeco.javacv.Frame f = grabber.grabImage();
        if (f == null) {
          if (isFile() && options.loop()) {
            grabber.setTimestamp(0);
            pacer = new Pacer();
            continue;
          }
          return "end of input";
        }
        if (isFile() || options.format().equals("lavfi")) { // these decode as fast as asked; a camera does not
          pacer.await(grabber.getTimestamp());
        }
        float[] chw = converter.convert(f);
        latest.publish(new Frame(chw, converter.tensorHeight(), converter.tensorWidth(), ++sequence,
            System.nanoTime()));
      }
      return "stopped";
    } catch (FrameGrabber.Exception | RuntimeException e) {
      return "read failed: " + e.getMessage();
    }
  }

  private FFmpegFrameGrabber open() throws CaptureException {
    checkDeviceExists(); // before FFmpeg's natives load (seconds, the first time): a typo fails at once
    QuietFfmpeg.init();
    FFmpegFrameGrabber g = new FFmpegFrameGrabber(options.input());
    if (!options.format().isEmpty()) {
      g.setFormat(options.format());
    }
    if (options.width() > 0 && options.height() > 0) {
      g.setImageWidth(options.width());
      g.setImageHeight(options.height());
    }
    if (options.fps() > 0) {
      g.setFrameRate(options.fps());
    }
    g.setPixelFormat(AV_PIX_FMT_RGB24);
    g.setTimeout(options.timeoutMs());
    String micros = String.valueOf(options.timeoutMs() * 1000L);
    if (options.isNetwork()) {
      g.setOption("timeout", micros); // udp, tcp, srt: an open or read without data fails after this
      g.setOption("rw_timeout", micros);
      g.setOption("fflags", "nobuffer");
    }
    try {
      g.start();
      if (g.getImageWidth() <= 0 || g.getImageHeight() <= 0) {
        throw new CaptureException("capture: " + options.describe() + " has no video stream");
      }
      return g;
    } catch (FrameGrabber.Exception | RuntimeException e) {
      release(g);
      throw new CaptureException("capture: cannot open " + options.describe() + ": " + firstLine(e.getMessage()));
    } catch (UnsatisfiedLinkError e) {
      release(g);
      throw new CaptureException("capture: FFmpeg's device support did not load (" + firstLine(e.getMessage())
          + "); on Debian/Ubuntu install libpulse0");
    }
  }

  /** A missing device node is reported without touching FFmpeg: clear, and immediate. */
  private void checkDeviceExists() throws CaptureException {
    if (options.input().isBlank()) {
      throw new CaptureException("capture: capture.input is empty; name a device, screen, URL or file");
    }
    boolean pathLike = options.input().startsWith("/") || !options.isNetwork() && !options.isDevice();
    if (pathLike && !options.format().equals("lavfi") && !Files.exists(Path.of(options.input()))) {
      throw new CaptureException("capture: " + options.describe() + " does not exist"
          + (options.input().startsWith("/dev/video")
              ? " (is OBS Virtual Camera started? `v4l2-ctl --list-devices` lists the video devices)" : ""));
    }
  }

  private boolean isFile() {
    return !options.isNetwork() && !options.isDevice();
  }

  private void markUp() {
    up = true;
    latest.setOpen(true);
    detail = "reading " + options.describe();
    LOG.info("capture: {} is up", options.describe());
  }

  private void markDown(String why) {
    up = false;
    latest.setOpen(false);
    detail = "down: " + why;
    LOG.warn("capture: {} is down ({})", options.describe(), why);
  }

  private void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      running = false;
    }
  }

  private static void release(FFmpegFrameGrabber g) {
    if (g == null) {
      return;
    }
    try {
      g.release();
    } catch (Exception e) {
      LOG.debug("releasing grabber", e);
    }
  }

  /** FFmpeg's reason without JavaCV's generic hints, which do not apply here. */
  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    return s.lines().findFirst().orElse(s).replace(" (Has setFormat() been called?)", "")
        .replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "");
  }

  @Override
  public void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(options.timeoutMs() + 2000L);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Loads FFmpeg's natives once, with its log limited to errors. */
  private static final class QuietFfmpeg {
    static {
      avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    static void init() {
    }
  }

  /** Plays a file at its own frame rate instead of as fast as it decodes. */
  private static final class Pacer {
    private final long startNanos = System.nanoTime();
    private long firstMicros = Long.MIN_VALUE;

    void await(long timestampMicros) {
      if (firstMicros == Long.MIN_VALUE) {
        firstMicros = timestampMicros;
      }
      long wait = startNanos + (timestampMicros - firstMicros) * 1000 - System.nanoTime();
      if (wait > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
