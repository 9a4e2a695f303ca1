package dev.ami.agent;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One model on the agent's side: two identical sets of blocks and the {@link ParamFollower} that fills the idle
 * set off the tick and flips them between ticks. Usually a set is one block (one snapshot group); a forward model
 * and the encoder it was trained against are one set of two, so they always change together. Forward passes run
 * only on the agent thread, on {@link #active()}.
 */
final class Twin implements AutoCloseable {
  private final List<List<Block>> sides = List.of(new ArrayList<>(), new ArrayList<>());
  private final ParamFollower follower;

  Twin(String key, String group, LocalMap<String, ParamSnapshot> params, Supplier<Block> build, NDManager manager,
       Shape... inputShapes) {
    this(key, List.of(new Part(group, build, inputShapes)), params, manager);
  }

  /** Several groups of one model's snapshot, swapped together. */
  Twin(String key, List<Part> parts, LocalMap<String, ParamSnapshot> params, NDManager manager) {
    for (List<Block> side : sides) {
      for (Part p : parts) {
        Block b = p.build().get();
        b.initialize(manager, DataType.FLOAT32, p.inputShapes());
        side.add(b);
      }
    }
    this.follower = new ParamFollower(key, parts.stream().map(Part::group).toList(), params, sides.get(0),
        sides.get(1));
  }

  /** One group of the snapshot: its name, how to build its block, and the shapes to initialise it with. */
  record Part(String group, Supplier<Block> build, Shape... inputShapes) {
  }

  /** The block the agent runs (the first part's). */
  Block active() {
    return active(0);
  }

  /** The active block of part {@code i}. */
  Block active(int i) {
    return sides.get(follower.activeIndex()).get(i);
  }

  ParamFollower follower() {
    return follower;
  }

  long version() {
    return follower.inUseVersion();
  }

  /** Refuses further copies (waiting out one in progress); the blocks' memory goes with the brain's manager. */
  @Override
  public void close() {
    follower.close();
  }
}
