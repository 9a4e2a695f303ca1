package dev.ami.bus;

import java.util.Locale;

/**
 * The life states the agent, the trainer and the system report; {@code restarting}: a supervised loop crashed and
 * waits to start again; {@code standby}: a redeployed loop built its models and waits to take over.
 */
public enum RunState {
  STARTING, STANDBY, RUNNING, PAUSED, STEPPING, RESTARTING, STOPPING, STOPPED, FAILED;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
