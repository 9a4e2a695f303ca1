package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.vertx.core.shareddata.Shareable;
import java.util.List;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An immutable, versioned copy of a model's parameters, grouped by sub-model ("encoder", "decoder", ...).
 *
 * <p>The arrays live in native memory owned by this snapshot's own manager. Readers {@link #tryAcquire()}
 * before touching them and {@link #release()} after; the publisher holds one reference while the snapshot
 * is the newest, so the memory is freed as soon as nobody can still read it, on whichever thread lets go
 * last (or hands it to the spares it came with, for the next snapshot of its model to be written into). Nothing
 * writes the arrays while a reference can still be taken.
 */
public final class ParamSnapshot implements Shareable {
  private final String key;
  private final long version;
  private final long trainerStep;
  private final long createdNanos;
  private final String spec;
  private final Map<String, List<NDArray>> groups;
  private final NDManager manager;
  /** Where the memory goes on the last release instead of being freed; null to free it. */
  private final SpareSnapshots spares;
  private final AtomicInteger refs = new AtomicInteger(1);

  ParamSnapshot(String key, long version, long trainerStep, long createdNanos, String spec,
                Map<String, List<NDArray>> groups, NDManager manager) {
    this(key, version, trainerStep, createdNanos, spec, groups, manager, null);
  }

  ParamSnapshot(String key, long version, long trainerStep, long createdNanos, String spec,
                Map<String, List<NDArray>> groups, NDManager manager, SpareSnapshots spares) {
    this.key = key;
    this.version = version;
    this.trainerStep = trainerStep;
    this.createdNanos = createdNanos;
    this.spec = spec;
    this.groups = Collections.unmodifiableMap(new TreeMap<>(groups)); // names in sorted order
    this.manager = manager;
    this.spares = spares;
  }

  /**
   * A snapshot of arrays loaded from elsewhere (a checkpoint): {@code manager} owns them and is closed with the
   * snapshot's last reference.
   */
  public static ParamSnapshot restored(String key, long version, long trainerStep, String spec,
                                       Map<String, List<NDArray>> groups, NDManager manager) {
    return new ParamSnapshot(key, version, trainerStep, System.nanoTime(), spec, groups, manager);
  }

  /** A decoded snapshot whose memory goes to {@code spares} when it is freed, for the next decode to reuse. */
  static ParamSnapshot decoded(String key, long version, long trainerStep, String spec,
                               Map<String, List<NDArray>> groups, NDManager manager, SpareSnapshots spares) {
    return new ParamSnapshot(key, version, trainerStep, System.nanoTime(), spec, groups, manager, spares);
  }

  /** Immutable, so the local map can hand out this very instance. */
  @Override
  public Shareable copy() {
    return this;
  }

  /** Takes a reference; false when the snapshot was already freed (read the map again). */
  public boolean tryAcquire() {
    while (true) {
      int n = refs.get();
      if (n <= 0) {
        return false;
      }
      if (refs.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one frees the native memory, or hands it to the spares it came with. */
  public void release() {
    int n = refs.decrementAndGet();
    if (n == 0) {
      if (spares == null) {
        manager.close();
      } else {
        spares.keep(key, groups, manager);
      }
    } else if (n < 0) {
      throw new IllegalStateException("snapshot " + key + "@" + version + " released too often");
    }
  }

  public boolean isFreed() {
    return refs.get() <= 0;
  }

  public String key() {
    return key;
  }

  public long version() {
    return version;
  }

  public long trainerStep() {
    return trainerStep;
  }

  public long createdNanos() {
    return createdNanos;
  }

  /** The spec of the model these parameters belong to, in words (e.g. {@code VaeSpec[...]}); "" when unknown. */
  public String spec() {
    return spec;
  }

  /** The group names, sorted. */
  public List<String> groupNames() {
    return List.copyOf(groups.keySet());
  }

  /** The arrays of one sub-model, in the order of its block's parameter list. Read-only by contract. */
  public List<NDArray> group(String name) {
    List<NDArray> g = groups.get(name);
    if (g == null) {
      throw new IllegalArgumentException("snapshot " + key + "@" + version + " has no group " + name
          + "; it has " + groups.keySet());
    }
    return g;
  }
}
