package dev.ami.bus;

/**
 * Measurements of one training step of model {@code model}; {@code loss} may be non-finite, then the update was
 * skipped. {@code bufferSize} is the fill of the buffer that model trains from.
 */
public record TrainRecord(String model, long step, double stepMs, double loss, long versionPublished, int bufferSize,
                          long skippedSteps, long wallMillis) {
}
