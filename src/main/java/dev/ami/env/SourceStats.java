package dev.ami.env;

/**
 * Counters a frame source exposes to telemetry.
 *
 * @param frames frames the source produced
 * @param dropped frames replaced by a newer one before any tick took them
 * @param stale reads that found no newer frame than the previous read
 * @param up whether the source currently delivers frames
 * @param reconnects times the source was reopened after failing
 * @param detail what the source is reading, or why it is down
 */
public record SourceStats(long frames, long dropped, long stale, boolean up, long reconnects, String detail) {
  public static final SourceStats NONE = new SourceStats(0, 0, 0, true);

  public SourceStats(long frames, long dropped, long stale, boolean up) {
    this(frames, dropped, stale, up, 0, "");
  }
}
