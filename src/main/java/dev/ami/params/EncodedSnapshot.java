package dev.ami.params;

import java.util.List;

/**
 * A snapshot's bytes as {@link SnapshotBytes} made them, in chunks of {@link SnapshotBytes#CHUNK} (small enough
 * that G1 never treats one as a humongous object). Never written after creation.
 */
public record EncodedSnapshot(String key, long version, String spec, List<byte[]> chunks, long size) {
  public EncodedSnapshot {
    chunks = List.copyOf(chunks);
  }
}
