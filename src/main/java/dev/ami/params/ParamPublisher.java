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
public final class ParamPublisher {
  private final String key;
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

  /** The same, with the model's spec in words, so that readers can tell which model the arrays belong to. */
  public ParamSnapshot publish(Map<String, Block> groups, long trainerStep, String spec) {
    // a manager of its own: the snapshot outlives the trainer when it is redeployed
    NDManager snapshotManager = NDManager.newBaseManager();
    snapshotManager.setName("params-" + key);
    Map<String, List<NDArray>> copies = new LinkedHashMap<>();
    groups.forEach((name, block) -> {
      List<NDArray> arrays = new ArrayList<>();
      for (Pair<String, Parameter> p : block.getParameters()) {
        NDArray copy = p.getValue().getArray().duplicate(); // native clone, no Java round-trip
        copy.attach(snapshotManager);
        arrays.add(copy);
      }
      copies.put(name, List.copyOf(arrays));
    });
    while (true) {
      // versions only grow, whoever published: a mirror may put a newer one in between (cluster mode)
      ParamSnapshot newest = map.get(key);
      version = Math.max(version, newest == null ? 0 : newest.version()) + 1;
      ParamSnapshot snapshot = new ParamSnapshot(key, version, trainerStep, System.nanoTime(), spec, copies,
          snapshotManager);
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

  /** The newest snapshot of this key, or null. The caller must {@code tryAcquire} before reading it. */
  public ParamSnapshot current() {
    return map.get(key);
  }

  public long version() {
    return version;
  }
}
