package dev.ami.env;

/**
 * A world the agent lives in: something to look at, something to act on, and, for the built-in world, a
 * measure of how much of it was explored ({@code exploration} is null elsewhere).
 */
public record Environment(String name, FrameSource frames, Actuator actuator, Exploration exploration)
    implements AutoCloseable {
  public Environment(String name, FrameSource frames, Actuator actuator) {
    this(name, frames, actuator, null);
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
