package dev.ami.config;

/**
 * Where actions go over OSC ({@code osc.*}), how often held inputs are sent again, and the dead-man switch.
 *
 * @param enabled false: actions are only recorded
 * @param watchdogTimeoutMs silence after which the watchdog sends neutral
 */
public record OscOptions(boolean enabled, String host, int port, int refreshMs, double smoothingMs, boolean watchdog,
                         int watchdogTimeoutMs) {
  public static OscOptions from(AmiConfig c) {
    return new OscOptions(c.getBool("osc.enabled"), c.getString("osc.host"), c.getInt("osc.port"),
        c.getInt("osc.refresh_ms"), c.getDouble("osc.smoothing_ms"), c.getBool("osc.watchdog"),
        c.getInt("osc.watchdog_timeout_ms"));
  }

  /** The watchdog's bound, or 0 with no watchdog. */
  public int watchdogBoundMs() {
    return watchdog ? watchdogTimeoutMs : 0;
  }
}
