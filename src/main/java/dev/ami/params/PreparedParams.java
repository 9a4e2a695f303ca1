package dev.ami.params;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A snapshot's arrays already cloned into the agent's memory, waiting for the agent to take them between
 * ticks. Taking them is a handle swap per parameter, so the tick never pays for the copy.
 */
public record PreparedParams(long version, long publishedNanos, List<NDArray> arrays) {
  /** Frees the clones when a newer version overtook this one before the agent took it. */
  public void discard() {
    arrays.forEach(NDArray::close);
  }
}
