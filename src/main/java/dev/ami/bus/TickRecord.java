package dev.ami.bus;

/**
 * Measurements of one agent tick. Times in milliseconds; {@code swapMs} and {@code publishToUseMs} are
 * NaN on ticks that did not take up a new snapshot.
 *
 * @param versionPublished newest version in the params map when the tick ran
 * @param missed deadlines skipped so far because a tick overran a whole period
 */
public record TickRecord(long tick, double latenessMs, double durationMs, double inferenceMs, long versionUsed,
                         long versionPublished, double swapMs, double publishToUseMs, int action, long missed,
                         long wallMillis) {
  public long policyLag() {
    return Math.max(0, versionPublished - versionUsed);
  }
}
