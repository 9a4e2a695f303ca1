package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies a trainer's live parameters into a new {@link ParamSnapshot} and makes it the newest in the
 * local map. Runs on the trainer thread, between steps, so the live arrays are not being written.
 */
public final class ParamPublisher implements AutoCloseable {
  private final String key;
  /** The memory of this model's last freed snapshot: a publish rewrites it rather than faulting in new pages. */
  private final SpareSnapshots spares = new SpareSnapshots();
  private final LocalMap<String, ParamSnapshot> map;
  private long version;

  public ParamPublisher(String key, LocalMap<String, ParamSnapshot> map, long startVersion) {
    this.key = key;
    this.map = map;
    this.version = startVersion;
  }

  /** Publishes the blocks' parameters as the next version and returns it. */
  public ParamSnapshot publish(Map<String, Block> groups, long trainerStep) {
    return publish(groups, trainerStep, "");
  }

  /**
   * The same, with the model's spec in words, so that readers can tell which model the arrays belong to. The
   * copy goes into the memory of this model's last freed snapshot when its shapes fit, else into new arrays.
   */
  public ParamSnapshot publish(Map<String, Block> groups, long trainerStep, String spec) {
    Map<String, List<NDArray>> live = new LinkedHashMap<>();
    groups.forEach((name, block) -> live.put(name,
        SnapshotCopy.parameters(block).stream().map(Parameter::getArray).toList()));
    SpareSnapshots.Spare spare = spares.take(key, g -> ArrayLayout.of(g).equals(ArrayLayout.of(live)));
    Map<String, List<NDArray>> copies = new LinkedHashMap<>();
    // a manager of its own: the snapshot outlives the trainer when it is redeployed
    NDManager snapshotManager = spare != null ? spare.manager() : NDManager.newBaseManager();
    try {
      if (spare == null) {
        snapshotManager.setName("params-" + key);
      }
      live.forEach((name, arrays) -> {
        List<NDArray> into = spare != null ? spare.groups().get(name) : null;
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < arrays.size(); i++) {
          out.add(copy(arrays.get(i), into == null ? null : into.get(i), snapshotManager));
        }
        copies.put(name, List.copyOf(out));
      });
    } catch (RuntimeException e) {
      snapshotManager.close(); // a copy that failed publishes nothing and keeps nothing
      throw e;
    }
    while (true) {
      // versions only grow, whoever published: a mirror may put a newer one in between (cluster mode)
      ParamSnapshot newest = map.get(key);
      version = Math.max(version, newest == null ? 0 : newest.version()) + 1;
      ParamSnapshot snapshot = new ParamSnapshot(key, version, trainerStep, System.nanoTime(), spec, copies,
          snapshotManager, spares);
      boolean put = newest == null ? map.putIfAbsent(key, snapshot) == null
          : map.replaceIfPresent(key, newest, snapshot);
      if (put) {
        if (newest != null) {
          newest.release(); // the map's reference; readers still holding one keep it alive
        }
        return snapshot;
      }
    }
  }

  /**
   * {@code live}'s values in {@code into}, in place (memory touched before; the copy joins no autograd graph even
   * with grad mode on, ParamSyncTest checks it), or with no {@code into} in a native clone owned by {@code owner}.
   */
  private static NDArray copy(NDArray live, NDArray into, NDManager owner) {
    if (into != null) {
      into.set(SnapshotCopy.ALL, live);
      return into;
    }
    NDArray clone = live.duplicate(); // no Java round-trip
    clone.attach(owner);
    return clone;
  }

  /** Frees the memory kept for the next publish; snapshots freed later free theirs at once. */
  @Override
  public void close() {
    spares.close();
  }

  /** The newest snapshot of this key, or null. The caller must {@code tryAcquire} before reading it. */
  public ParamSnapshot current() {
    return map.get(key);
  }

  public long version() {
    return version;
  }
}
