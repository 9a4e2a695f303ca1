package dev.ami.config;


/**
 * What to capture and how: an FFmpeg input (device, screen, URL or file) and the tensor it becomes.
 *
 * @param format FFmpeg input format (v4l2, dshow, x11grab, mpegts, ...); empty = guess
 * @param width capture width asked of a device or screen; 0 = its default (likewise height, fps)
 * @param pictureSize side of the square picture the crop is resized to
 * @param tensorSize side of the model's input; the picture is centred on black when smaller
 */
public record CaptureOptions(String input, String format, int width, int height, double fps, boolean loop,
                             int pictureSize, int tensorSize, int timeoutMs, int staleMs, int backoffMs,
                             int backoffMaxMs) {

  public static CaptureOptions from(AmiConfig c) {
    int tensor = c.getInt("model.input_size");
    int picture = c.getInt("capture.size") == 0 ? tensor : c.getInt("capture.size");
    return new CaptureOptions(c.getString("capture.input"), c.getString("capture.format"),
        c.getInt("capture.width"), c.getInt("capture.height"), c.getDouble("capture.fps"),
        c.getBool("capture.loop"), picture, tensor, c.getInt("capture.timeout_ms"), c.getInt("capture.stale_ms"),
        c.getInt("capture.backoff_ms"), c.getInt("capture.backoff_max_ms"));
  }

  /** Options for a file or URL with defaults for everything else (tests, benchmarks). */
  public static CaptureOptions of(String input, String format, int size) {
    return new CaptureOptions(input, format, 0, 0, 0, false, size, size, 2000, 1000, 250, 10_000);
  }

  public CaptureOptions withLoop(boolean loop) {
    return new CaptureOptions(input, format, width, height, fps, loop, pictureSize, tensorSize, timeoutMs, staleMs,
        backoffMs, backoffMaxMs);
  }

  public CaptureOptions withTimeouts(int timeoutMs, int staleMs, int backoffMs) {
    return new CaptureOptions(input, format, width, height, fps, loop, pictureSize, tensorSize, timeoutMs, staleMs,
        backoffMs, backoffMaxMs);
  }

  /** A URL such as udp://, srt://, rtmp:// (reads may time out; the stream may come back). */
  public boolean isNetwork() {
    return input.contains("://") && !input.startsWith("file://");
  }

  /** A capture device or screen: v4l2, dshow, avfoundation, x11grab, ... */
  public boolean isDevice() {
    return switch (format) {
      case "v4l2", "video4linux2", "dshow", "avfoundation", "x11grab", "gdigrab", "kmsgrab", "lavfi" -> true;
      default -> input.startsWith("/dev/");
    };
  }

  public String describe() {
    return (format.isEmpty() ? "" : format + " ") + "input '" + input + "'";
  }
}
