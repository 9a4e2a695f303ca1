package dev.ami.bus;

/**
 * What an agent hands its successor at a tick boundary during a redeploy: its counters and hidden state, and the
 * deadline of the tick it would have run next, so the successor ticks on the same schedule.
 *
 * @param nextDeadlineNanos {@link System#nanoTime()} of the next tick (the same clock in one JVM)
 * @param lastDeadlineNanos the deadline of the last tick it ran (0 before any)
 * @param paused the agent was paused (or stepping): its successor starts paused
 */
public record AgentHandover(AgentState state, long nextDeadlineNanos, long lastDeadlineNanos, long periodNanos,
                            boolean paused) {
}
