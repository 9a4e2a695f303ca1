package dev.ami.bus;

/**
 * What the agent saw and did in one tick. The observation is RGB float CHW in [0,1]; it is never
 * mutated after sending, so local delivery passes it by reference.
 *
 * @param paramVersion the parameter snapshot version that chose the action
 * @param deadlineNanos the tick's absolute deadline ({@link System#nanoTime()} clock)
 * @param startNanos when the tick actually started
 */
public record Transition(long tick, float[] observation, int action, long paramVersion, long deadlineNanos,
                         long startNanos, long wallMillis) {
}
