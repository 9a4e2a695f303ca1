package dev.ami.env;

/** Counters a frame source exposes to telemetry. */
public record SourceStats(long frames, long dropped, long stale, boolean up) {
  public static final SourceStats NONE = new SourceStats(0, 0, 0, true);
}
