package dev.ami.params;

import io.vertx.core.shareddata.Shareable;
import java.util.List;

/**
 * A snapshot's bytes as {@link SnapshotBytes} made them, in chunks of {@link SnapshotBytes#CHUNK} (small enough
 * that G1 never treats one as a humongous object), shared by reference: a mirror leaves the chunks it received
 * here so that its node can serve them on without encoding them again. Never written after creation.
 */
public record EncodedSnapshot(String key, long version, String spec, List<byte[]> chunks, long size)
    implements Shareable {
  public EncodedSnapshot {
    chunks = List.copyOf(chunks);
  }

  @Override
  public Shareable copy() {
    return this;
  }
}
