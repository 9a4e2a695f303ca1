package dev.ami.params;

import io.vertx.core.shareddata.Shareable;

/**
 * A snapshot's bytes as {@link SnapshotBytes} made them, shared by reference: a mirror leaves the bytes it received
 * here so that its node can serve them on without encoding them again. Never written after creation.
 */
public record EncodedSnapshot(String key, long version, String spec, byte[] bytes) implements Shareable {
  @Override
  public Shareable copy() {
    return this;
  }
}
