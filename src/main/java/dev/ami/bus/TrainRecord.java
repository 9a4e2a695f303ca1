package dev.ami.bus;

/** Measurements of one training step; {@code loss} may be non-finite, then the update was skipped. */
public record TrainRecord(long step, double stepMs, double loss, long versionPublished, int replaySize,
                          long skippedSteps, long wallMillis) {
}
