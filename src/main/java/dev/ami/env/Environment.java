package dev.ami.env;

/** A world the agent lives in: something to look at and something to act on. */
public record Environment(String name, FrameSource frames, Actuator actuator) implements AutoCloseable {
  @Override
  public void close() {
    try {
      actuator.close();
    } finally {
      frames.close();
    }
  }
}
