package dev.ami.params;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A snapshot's bytes as {@link SnapshotBytes} made them, in chunks of at most {@link SnapshotBytes#CHUNK} bytes
 * (small enough that G1 never treats one as a humongous object), each flipped: position 0, limit its length.
 * Never written after creation; read a chunk through {@link #chunk}, which leaves the stored buffers untouched.
 */
public record EncodedSnapshot(String key, long version, String spec, List<ByteBuffer> chunks, long size) {
  public EncodedSnapshot {
    chunks = List.copyOf(chunks);
  }

  /** Chunk {@code i} copied into a new array. */
  public byte[] chunk(int i) {
    ByteBuffer view = chunks.get(i).duplicate();
    byte[] out = new byte[view.remaining()];
    view.get(out);
    return out;
  }
}
