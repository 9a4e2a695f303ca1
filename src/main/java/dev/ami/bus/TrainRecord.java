package dev.ami.bus;

/**
 * Measurements of one training step of model {@code model}; {@code loss} may be non-finite, then the update was
 * skipped. {@code bufferSize} is the fill of the buffer that model trains from. {@code gradNorm} is the global L2
 * norm of the step's gradients before any clipping (NaN when none were computed).
 */
public record TrainRecord(String model, long step, double stepMs, double loss, long versionPublished, int bufferSize,
                          long skippedSteps, long wallMillis, double gradNorm) {
  public TrainRecord(String model, long step, double stepMs, double loss, long versionPublished, int bufferSize,
                     long skippedSteps, long wallMillis) {
    this(model, step, stepMs, loss, versionPublished, bufferSize, skippedSteps, wallMillis, Double.NaN);
  }
}
