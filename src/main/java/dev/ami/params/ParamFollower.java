package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.util.Pair;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The agent's side of parameter sync. {@link #prepare()} runs off the tick (on the verticle's worker
 * context when a publish is announced) and clones the newest snapshot; {@link #swapIfReady()} runs on the
 * agent thread between ticks and only swaps native handles, so its cost does not grow with the model.
 */
public final class ParamFollower {
  private final String key;
  private final String group;
  private final LocalMap<String, ParamSnapshot> map;
  private final NDManager manager;
  private final List<Parameter> targets = new ArrayList<>();
  private final AtomicReference<PreparedParams> pending = new AtomicReference<>();
  private volatile long preparedVersion;
  private long inUseVersion;

  public ParamFollower(String key, String group, LocalMap<String, ParamSnapshot> map, Block target,
                       NDManager manager) {
    this.key = key;
    this.group = group;
    this.map = map;
    this.manager = manager;
    for (Pair<String, Parameter> p : target.getParameters()) {
      targets.add(p.getValue());
    }
  }

  /** Newest version in the map, or 0 when nothing was published yet. */
  public long newestPublished() {
    ParamSnapshot s = map.get(key);
    return s == null ? 0 : s.version();
  }

  public long inUseVersion() {
    return inUseVersion;
  }

  /**
   * Clones the newest snapshot if it is newer than what is prepared or in use. Thread-safe with respect to
   * the agent thread; must not run concurrently with itself (one worker context calls it).
   *
   * @throws IllegalStateException when the snapshot does not fit the agent's model
   */
  public boolean prepare() {
    ParamSnapshot snapshot = map.get(key);
    if (snapshot == null || snapshot.version() <= preparedVersion || !snapshot.tryAcquire()) {
      return false;
    }
    List<NDArray> clones = new ArrayList<>();
    try {
      List<NDArray> source = snapshot.group(group);
      checkFits(snapshot, source);
      for (NDArray a : source) {
        NDArray c = a.duplicate();
        c.attach(manager);
        clones.add(c);
      }
    } catch (RuntimeException e) {
      clones.forEach(NDArray::close);
      throw e;
    } finally {
      snapshot.release();
    }
    preparedVersion = snapshot.version();
    PreparedParams old = pending.getAndSet(new PreparedParams(snapshot.version(), snapshot.createdNanos(),
        List.copyOf(clones)));
    if (old != null) {
      old.discard();
    }
    return true;
  }

  /** On the agent thread, between ticks: takes prepared parameters if any. Returns them, or null. */
  public PreparedParams swapIfReady() {
    PreparedParams p = pending.getAndSet(null);
    if (p == null) {
      return null;
    }
    for (int i = 0; i < targets.size(); i++) {
      ((PtNDArray) targets.get(i).getArray()).intern(p.arrays().get(i)); // frees the old array
    }
    inUseVersion = p.version();
    return p;
  }

  /** Frees parameters that were prepared but never taken. */
  public void close() {
    PreparedParams p = pending.getAndSet(null);
    if (p != null) {
      p.discard();
    }
  }

  private void checkFits(ParamSnapshot snapshot, List<NDArray> source) {
    if (source.size() != targets.size()) {
      throw new IllegalStateException("snapshot " + key + "@" + snapshot.version() + " group " + group + " has "
          + source.size() + " arrays, the agent's model has " + targets.size());
    }
    for (int i = 0; i < source.size(); i++) {
      if (!source.get(i).getShape().equals(targets.get(i).getArray().getShape())) {
        throw new IllegalStateException("snapshot " + key + "@" + snapshot.version() + " parameter " + i
            + " has shape " + source.get(i).getShape() + ", the agent's model expects "
            + targets.get(i).getArray().getShape());
      }
    }
  }
}
