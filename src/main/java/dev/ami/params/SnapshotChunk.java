package dev.ami.params;

import java.nio.ByteBuffer;

/**
 * One chunk of a snapshot's bytes, the answer to a fetch at {@code ami.params.fetch.<node>}. On the wire its
 * bytes are read straight into a direct buffer from {@link #RECEIVED}, off the Java heap: a fetch holds all its
 * chunks until the last one is in, and on the heap they were what a young collection had to copy (and an
 * allocation rate that brought those collections on sooner). Whoever received the chunk gives its buffer back to
 * {@link #RECEIVED} once it has read it.
 *
 * @param bytes from its position to its limit; at most {@link SnapshotBytes#CHUNK} bytes
 */
public record SnapshotChunk(ByteBuffer bytes) {
  /** The buffers chunks from other JVMs arrive in; how many it keeps is the receiver's to say. */
  public static final ChunkPool RECEIVED = new ChunkPool();
}
