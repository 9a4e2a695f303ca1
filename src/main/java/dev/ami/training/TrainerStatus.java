package dev.ami.training;

import dev.ami.bus.RunState;
import dev.ami.control.LoopStatus;
import io.vertx.core.json.JsonObject;

/** What the trainer reports about itself. */
public record TrainerStatus(RunState state, long steps, long versionPublished, float lastLoss, int replaySize,
                            long skippedSteps, long rollbacks) implements LoopStatus {
  @Override
  public JsonObject toJson() {
    return new JsonObject().put("state", state.wireName()).put("steps", steps)
        .put("version_published", versionPublished)
        .put("loss", Float.isFinite(lastLoss) ? (Object) (double) lastLoss : null)
        .put("replay_size", replaySize).put("skipped_steps", skippedSteps).put("rollbacks", rollbacks);
  }
}
