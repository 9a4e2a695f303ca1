package dev.ami.bus;

import java.util.Locale;

/** The life states the agent, the trainer and the system report; {@code restarting}: a supervised loop crashed and waits to start again. */
public enum RunState {
  STARTING, RUNNING, PAUSED, STEPPING, RESTARTING, STOPPING, STOPPED, FAILED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
