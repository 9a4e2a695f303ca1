package dev.ami.params;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers of {@link SnapshotBytes#CHUNK} bytes, handed back and out again, most recently returned first.
 * Encodings kept on the Java heap (36 MB per round of publishes at ami's sizes) outlived young collections,
 * were promoted and filled the old generation until G1 grew the heap; every allocation then faulted in fresh
 * pages for seconds and publish → use across JVMs took 300–500 ms. Reused direct buffers are neither copied by
 * the collector nor faulted in again. Thread-safe: a sending node takes them on a worker and gives them back on
 * an event loop, a receiving node the other way round.
 */
public final class ChunkPool {
  private final ConcurrentLinkedDeque<ByteBuffer> free = new ConcurrentLinkedDeque<>();
  private final AtomicInteger freeCount = new AtomicInteger();
  private final AtomicInteger made = new AtomicInteger();
  private volatile int maxFree;

  /** How much free memory the pool keeps for the next encodings; beyond it, chunks given back are let go. */
  public void keepFree(long bytes) {
    maxFree = (int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes / SnapshotBytes.CHUNK));
  }

  /** An empty chunk: a free one when there is one, else a new one. */
  public ByteBuffer take() {
    ByteBuffer b = free.pollFirst();
    if (b == null) {
      made.incrementAndGet();
      return ByteBuffer.allocateDirect(SnapshotBytes.CHUNK);
    }
    freeCount.decrementAndGet();
    return b.clear();
  }

  /** Gives chunks back; nothing may read them afterwards. Chunks not made here are left alone. */
  public void give(List<ByteBuffer> chunks) {
    for (ByteBuffer b : chunks) {
      if (!b.isDirect() || b.capacity() != SnapshotBytes.CHUNK) {
        continue;
      }
      if (freeCount.incrementAndGet() <= maxFree) {
        free.addFirst(b);
      } else {
        freeCount.decrementAndGet(); // over the limit: the collector frees it with its buffer object
      }
    }
  }

  public int free() {
    return freeCount.get();
  }

  /** How many chunks the pool ever allocated. */
  public int made() {
    return made.get();
  }
}
