package dev.ami.env;

/**
 * Where observations come from. {@link #latest()} must return at once: the agent's tick never waits for
 * capture. Implementations that capture on their own thread keep only the newest frame.
 */
public interface FrameSource extends AutoCloseable {
  /** Starts capturing; failures to open are reported here with a clear message. */
  void start() throws Exception;

  /** The newest frame, or null when none has arrived yet (or the source is down). */
  Frame latest();

  /** Frames the source produced that nobody took, and ticks that got a frame they had already seen. */
  default SourceStats stats() {
    return SourceStats.NONE;
  }

  @Override
  void close();
}
