package dev.ami.checkpoint;

/**
 * Which part of a checkpoint a directory holds (the manifest's {@code part}). One JVM writes {@link #WHOLE}; a
 * split cluster writes one part per node under the same name: the trainer node's is a complete checkpoint, the
 * agent node's holds only what the agent needs and is written second, as the pair's commit record.
 */
public enum Part {
  WHOLE, TRAINER, AGENT;

  /** The manifest's spelling. */
  public String json() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The part a manifest names; a manifest from before parts existed holds a whole checkpoint. */
  public static Part of(String json) {
    return json == null ? WHOLE : valueOf(json.toUpperCase(java.util.Locale.ROOT));
  }
}
