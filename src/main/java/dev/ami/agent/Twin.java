package dev.ami.agent;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.shareddata.LocalMap;
import java.util.function.Supplier;

/**
 * One model on the agent's side: two identical blocks and the {@link ParamFollower} that fills the idle one
 * off the tick and flips them between ticks. Forward passes run only on the agent thread, on {@link #active()}.
 */
final class Twin implements AutoCloseable {
  private final Block[] blocks = new Block[2];
  private final ParamFollower follower;

  Twin(String key, String group, LocalMap<String, ParamSnapshot> params, Supplier<Block> build, NDManager manager,
       Shape... inputShapes) {
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = build.get();
      blocks[i].initialize(manager, DataType.FLOAT32, inputShapes);
    }
    this.follower = new ParamFollower(key, group, params, blocks[0], blocks[1]);
  }

  Block active() {
    return blocks[follower.activeIndex()];
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
