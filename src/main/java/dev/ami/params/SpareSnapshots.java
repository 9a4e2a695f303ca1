package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The memory of each model's last freed snapshot, kept for the next snapshot of that model decoded in the same
 * layout, so that its bytes land in pages this process has already touched. Fresh tensors land on memory the
 * allocator has just mapped or given back; on a VM each first touch of a 4 KiB page costs about 28 µs, and the
 * forward model's decode took 20–71 ms instead of 1.9 ms when it faulted (docs/decisions/0010). A node holds one
 * spare per model beyond what is in use.
 *
 * <p>Thread-safe: a snapshot's last release may come on any thread, its decode runs on a worker. A snapshot
 * whose memory is kept here has no references left, so nothing can read the arrays while they are rewritten.
 */
public final class SpareSnapshots implements AutoCloseable {
  private final Map<String, Spare> spares = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> reused = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /** A freed snapshot's arrays and the manager that owns them. */
  record Spare(Map<String, List<NDArray>> groups, NDManager manager, long bytes) {
  }

  /** Keeps a freed snapshot's memory as {@code key}'s spare, freeing the one kept before; frees it when closed. */
  void keep(String key, Map<String, List<NDArray>> groups, NDManager manager) {
    if (closed) {
      manager.close();
      return;
    }
    long bytes = 0;
    for (List<NDArray> g : groups.values()) {
      for (NDArray a : g) {
        bytes += a.size() * a.getDataType().getNumOfBytes();
      }
    }
    Spare old = spares.put(key, new Spare(groups, manager, bytes));
    if (old != null) {
      old.manager().close();
    }
    if (closed) { // closed while it was put: whoever removes it frees it
      Spare late = spares.remove(key);
      if (late != null) {
        late.manager().close();
      }
    }
  }

  /**
   * Takes {@code key}'s spare if its arrays {@code fit}; a spare that does not fit (the model changed) is freed.
   * Null when there is none.
   */
  Spare take(String key, Predicate<Map<String, List<NDArray>>> fit) {
    Spare s = spares.remove(key);
    if (s == null) {
      return null;
    }
    if (!fit.test(s.groups())) {
      s.manager().close();
      return null;
    }
    reused.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    return s;
  }

  /** How many snapshots of {@code key} were decoded into a spare's memory. */
  public long reused(String key) {
    AtomicLong n = reused.get(key);
    return n == null ? 0 : n.get();
  }

  /** Bytes held as spares. */
  public long bytes() {
    return spares.values().stream().mapToLong(Spare::bytes).sum();
  }

  /** Frees every spare; snapshots freed later free their memory at once. */
  @Override
  public void close() {
    closed = true;
    for (String key : List.copyOf(spares.keySet())) {
      Spare s = spares.remove(key);
      if (s != null) {
        s.manager().close();
      }
    }
  }
}
