package dev.ami.bus;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Announces that snapshot {@code version} of model {@code key} is in the params local map.
 *
 * @param publishedNanos {@link System#nanoTime()} when the snapshot was made: meaningful only in the JVM that made
 *     it, so it never crosses the wire; a record decoded from another JVM has {@link #FROM_ANOTHER_JVM} here
 * @param publishedWallMicros wall-clock time of the publish, microseconds since the epoch: comparable across JVMs
 *     (as far as their clocks agree)
 */
public record ParamsPublished(String key, long version, long trainerStep, long publishedNanos,
                              long publishedWallMicros) {
  /** {@link #publishedNanos} of a record that came from another JVM: use {@link #publishedWallMicros} instead. */
  public static final long FROM_ANOTHER_JVM = Long.MIN_VALUE;

  /** Whether {@link #publishedNanos} is on this JVM's nanoTime clock. */
  public boolean sameJvm() {
    return publishedNanos != FROM_ANOTHER_JVM;
  }

  /** Now, in microseconds since the epoch, for {@link #publishedWallMicros}. */
  public static long wallMicrosNow() {
    return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
  }
}
