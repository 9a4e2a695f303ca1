package dev.ami.bus;

import java.util.Locale;

/** The life states the agent, the trainer and the system report. */
public enum RunState {
  STARTING, RUNNING, PAUSED, STEPPING, STOPPING, STOPPED, FAILED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
