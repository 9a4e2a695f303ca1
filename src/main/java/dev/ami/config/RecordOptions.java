package dev.ami.config;


/** The {@code record.*} keys (docs/running-for-days.md), and the agent's rate the video plays at. */
public record RecordOptions(boolean enabled, long segmentS, double maxGb, int hz) {
  public static RecordOptions from(AmiConfig c) {
    return new RecordOptions(c.getBool("record.enabled"), c.getLong("record.segment"), c.getDouble("record.max_gb"),
        c.getInt("agent.hz"));
  }

  /** The cap in bytes. */
  public long maxBytes() {
    return (long) (maxGb * 1e9);
  }
}
