package dev.ami.env;

import io.vertx.core.shareddata.Shareable;

/**
 * A world the agent lives in: something to look at, something to act on, and, for the built-in world, a
 * measure of how much of it was explored ({@code exploration} is null elsewhere). Shareable: during a redeploy
 * the agent that takes over finds it in a local map and drives the same actuators and frames.
 */
public record Environment(String name, FrameSource frames, Actuator actuator, Exploration exploration)
    implements AutoCloseable, Shareable {
  public Environment(String name, FrameSource frames, Actuator actuator) {
    this(name, frames, actuator, null);
  }

  @Override
  public Shareable copy() {
    return this; // one world: handed from agent to agent, never copied
  }

  @Override
  public void close() {
    try {
      actuator.close();
    } finally {
      frames.close();
    }
  }
}
