package dev.ami.env;

/**
 * Where actions go. {@link #act} is called on the agent thread and must not block on the network for
 * long; {@link #neutral()} must leave every input at rest (the avatar stops) and is called on pause,
 * shutdown, crash and redeploy.
 */
public interface Actuator extends AutoCloseable {
  void act(Action action);

  void neutral();

  /** Goes neutral, then releases resources. */
  @Override
  void close();
}
