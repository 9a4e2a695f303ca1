package dev.ami.config;

/**
 * How a crashed loop is started again ({@code agent.restart_*}, {@code trainer.restart_*}): a backoff from
 * {@code delayMs} doubling up to {@code maxMs}, at most {@code budget} restarts within {@code windowS}.
 */
public record RestartOptions(int delayMs, int maxMs, int budget, int windowS) {
  /** The restart keys of {@code section} (agent or trainer). */
  static RestartOptions from(AmiConfig c, String section) {
    return new RestartOptions(c.getInt(section + ".restart_delay_ms"), c.getInt(section + ".restart_max_ms"),
        c.getInt(section + ".restart_budget"), c.getInt(section + ".restart_window_s"));
  }
}
