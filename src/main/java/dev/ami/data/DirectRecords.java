package dev.ami.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fixed-size records kept off the Java heap, in direct memory made a chunk at a time as the slots are first
 * used. The buffers' contents live for the whole run; on the heap they were promoted while the buffers filled
 * and set G1 marking and shrinking the heap under the agent's tick (docs/decisions/0005). Out here the collector never copies, scans or counts them. Not thread-safe: the owning buffer locks.
 */
final class DirectRecords {
  /** About this much direct memory per chunk: few chunks, and an empty buffer costs at most one. */
  private static final int CHUNK_BYTES = 4 << 20;

  private final int capacity;
  private final int recordBytes;
  private final int perChunk;
  private final ByteBuffer[] chunks;

  /**
   * @param recordBytes a multiple of 4 when floats are stored (their views must be aligned)
   */
  DirectRecords(int capacity, int recordBytes) {
    if (capacity < 0 || recordBytes < 1) {
      throw new IllegalArgumentException("slots need a capacity >= 0 and records of at least one byte");
    }
    this.capacity = capacity;
    this.recordBytes = recordBytes;
    this.perChunk = Math.max(1, CHUNK_BYTES / recordBytes);
    this.chunks = new ByteBuffer[(capacity + perChunk - 1) / perChunk];
  }

  int capacity() {
    return capacity;
  }

  int recordBytes() {
    return recordBytes;
  }

  /** Copies {@code n} bytes of {@code src} from {@code from} into the slot's record from {@code at}. */
  void put(int slot, int at, byte[] src, int from, int n) {
    within(at, n);
    chunk(slot).put(offset(slot) + at, src, from, n);
  }

  /** Copies {@code n} bytes of the slot's record from {@code at} into {@code dst} from {@code to}. */
  void get(int slot, int at, byte[] dst, int to, int n) {
    within(at, n);
    chunk(slot).get(offset(slot) + at, dst, to, n);
  }

  /** Writes the floats into the slot's record from byte {@code at} (a multiple of 4). */
  void putFloats(int slot, int at, float[] src) {
    within(at, src.length * Float.BYTES);
    ByteBuffer c = chunk(slot);
    int base = offset(slot) + at;
    for (int i = 0; i < src.length; i++) {
      c.putFloat(base + i * Float.BYTES, src[i]);
    }
  }

  /** Reads {@code dst.length} floats of the slot's record from byte {@code at}. */
  void getFloats(int slot, int at, float[] dst) {
    within(at, dst.length * Float.BYTES);
    ByteBuffer c = chunk(slot);
    int base = offset(slot) + at;
    for (int i = 0; i < dst.length; i++) {
      dst[i] = c.getFloat(base + i * Float.BYTES);
    }
  }

  /** Direct memory made so far, in bytes. */
  long bytesMade() {
    long made = 0;
    for (ByteBuffer c : chunks) {
      made += c == null ? 0 : c.capacity();
    }
    return made;
  }

  private ByteBuffer chunk(int slot) {
    if (slot < 0 || slot >= capacity) {
      throw new IndexOutOfBoundsException("slot " + slot + " of " + capacity);
    }
    int c = slot / perChunk;
    ByteBuffer chunk = chunks[c];
    if (chunk == null) {
      int records = Math.min(perChunk, capacity - c * perChunk);
      chunk = ByteBuffer.allocateDirect(records * recordBytes).order(ByteOrder.nativeOrder());
      chunks[c] = chunk;
    }
    return chunk;
  }

  /** A record's bytes never spill into the next one's. */
  private void within(int at, int n) {
    if (at < 0 || n < 0 || at + n > recordBytes) {
      throw new IndexOutOfBoundsException(n + " bytes from " + at + " in a record of " + recordBytes);
    }
  }

  private int offset(int slot) {
    return (slot % perChunk) * recordBytes;
  }
}
