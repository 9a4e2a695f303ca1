package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
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
    SpareSnapshots.Spare spare = spares.take(key, g -> fits(g, groups));
    Map<String, List<NDArray>> copies = new LinkedHashMap<>();
    // a manager of its own: the snapshot outlives the trainer when it is redeployed
    NDManager snapshotManager = spare != null ? spare.manager() : NDManager.newBaseManager();
    try {
      if (spare != null) {
        copyInto(spare.groups(), groups);
        copies.putAll(spare.groups());
      } else {
        snapshotManager.setName("params-" + key);
        groups.forEach((name, block) -> {
          List<NDArray> arrays = new ArrayList<>();
          for (Pair<String, Parameter> p : block.getParameters()) {
            NDArray copy = p.getValue().getArray().duplicate(); // native clone, no Java round-trip
            copy.attach(snapshotManager);
            arrays.add(copy);
          }
          copies.put(name, List.copyOf(arrays));
        });
      }
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

  /** Whether a spare's arrays have the blocks' groups, parameter for parameter, in type and shape. */
  private static boolean fits(Map<String, List<NDArray>> spare, Map<String, Block> groups) {
    if (!spare.keySet().equals(groups.keySet())) {
      return false;
    }
    for (Map.Entry<String, Block> g : groups.entrySet()) {
      List<NDArray> arrays = spare.get(g.getKey());
      List<Parameter> params = SnapshotCopy.parameters(g.getValue());
      if (arrays.size() != params.size()) {
        return false;
      }
      for (int i = 0; i < arrays.size(); i++) {
        NDArray live = params.get(i).getArray();
        if (!arrays.get(i).getShape().equals(live.getShape()) || arrays.get(i).getDataType() != live.getDataType()) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Native in-place copies of the live parameters into a spare's arrays. The copies join no autograd graph even
   * with grad mode on (ParamSyncTest checks it).
   */
  private static void copyInto(Map<String, List<NDArray>> spare, Map<String, Block> groups) {
    groups.forEach((name, block) -> {
      List<NDArray> arrays = spare.get(name);
      List<Parameter> params = SnapshotCopy.parameters(block);
      for (int i = 0; i < arrays.size(); i++) {
        arrays.get(i).set(SnapshotCopy.ALL, params.get(i).getArray());
      }
    });
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
