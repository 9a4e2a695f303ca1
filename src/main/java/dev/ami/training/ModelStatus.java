package dev.ami.training;

import io.vertx.core.json.JsonObject;

/** One model's training counters, as the trainer reports them. */
public record ModelStatus(String key, long steps, long versionPublished, float lastLoss, int bufferSize,
                          long skippedSteps, long rollbacks, long runs, boolean inRun, long optimizerSteps) {
  public JsonObject toJson() {
    return new JsonObject().put("steps", steps).put("version_published", versionPublished)
        .put("loss", Float.isFinite(lastLoss) ? (Object) (double) lastLoss : null)
        .put("buffer_size", bufferSize).put("skipped_steps", skippedSteps).put("rollbacks", rollbacks)
        .put("runs", runs).put("in_run", inRun).put("optimizer_steps", optimizerSteps);
  }
}
