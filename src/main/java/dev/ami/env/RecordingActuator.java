package dev.ami.env;

/** An actuator with nothing on the other end: it only remembers the last action (noise world, tests). */
public final class RecordingActuator implements Actuator {
  private volatile Action last = Action.NEUTRAL;

  @Override
  public void act(Action action) {
    last = action;
  }

  @Override
  public void neutral() {
    last = Action.NEUTRAL;
  }

  public Action last() {
    return last;
  }

  @Override
  public void close() {
    neutral();
  }
}
