package dev.ami.bus;

import io.vertx.core.shareddata.Shareable;

/**
 * The agent's side of a checkpoint, taken between two ticks: its counters and the forward model's hidden
 * state the next tick starts from (null for an agent without one).
 */
public record AgentState(long ticks, long noFrameTicks, long staleTicks, long missedTicks, float[] hidden)
    implements Shareable {
  @Override
  public Shareable copy() {
    return this; // never written after it is made
  }
}
