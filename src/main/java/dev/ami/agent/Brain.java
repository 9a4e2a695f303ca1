package dev.ami.agent;

import dev.ami.env.Frame;
import dev.ami.params.ParamFollower;
import java.util.List;

/**
 * What the agent thinks with: its models, run once per tick on the agent thread. The loop around it
 * (scheduling, swaps, acting, reporting) is the same for every brain.
 */
public interface Brain extends AutoCloseable {
  /** One follower per model, in the order {@link Decision#computeMs()} reports them. */
  List<ParamFollower> followers();

  /** Runs the models on one frame and decides what to do. */
  Decision decide(Frame frame, long tick, boolean stale);

  /** The agent stopped acting for a while (pause, blind tick): the step in progress is dropped, the next starts afresh. */
  void breakChain();

  /** The state the next tick starts from that a checkpoint keeps (the forward model's hidden state), or null. */
  default float[] state() {
    return null;
  }

  /**
   * Takes up a state saved by {@link #state()}.
   *
   * @throws IllegalArgumentException when it does not fit this brain
   */
  default void restoreState(float[] saved) {
    if (saved != null) {
      throw new IllegalArgumentException("this agent keeps no state, the checkpoint has " + saved.length + " floats");
    }
  }

  /**
   * Runs the models once on {@code frame} and forgets it (the step, the state): a redeployed agent warms up this
   * way before it takes over, so its first real tick does not pay for first-use allocations.
   */
  default void warmUp(Frame frame) {
    float[] before = state();
    decide(frame, 0, false);
    breakChain();
    if (before != null) {
      restoreState(before);
    }
  }

  /** Releases the models; called on the agent thread after the last tick. */
  @Override
  void close();
}
