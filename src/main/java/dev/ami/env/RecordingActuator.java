package dev.ami.env;

/** An actuator with nothing on the other end: it only remembers the last action (noise world, tests). */
public final class RecordingActuator implements Actuator {
  private volatile Action last = Action.NEUTRAL;
  private final java.util.concurrent.atomic.AtomicLong neutrals = new java.util.concurrent.atomic.AtomicLong();

  @Override
  public void act(Action action) {
    last = action;
  }

  @Override
  public void neutral() {
    last = Action.NEUTRAL;
    neutrals.incrementAndGet();
  }

  /** How often the actuators were set neutral. */
  public long neutrals() {
    return neutrals.get();
  }

  public Action last() {
    return last;
  }

  @Override
  public void close() {
    neutral();
  }
}
