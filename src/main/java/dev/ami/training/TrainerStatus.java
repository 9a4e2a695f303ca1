package dev.ami.training;

import dev.ami.bus.RunState;
import dev.ami.control.LoopStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What the trainer reports about itself: its state, each model's counters in round-robin order, how often the
 * supervisor restarted it, and the last error that made it crash (null when none).
 */
public record TrainerStatus(RunState state, List<ModelStatus> models, int restarts, String lastError)
    implements LoopStatus {
  public TrainerStatus(RunState state, List<ModelStatus> models) {
    this(state, models, 0, null);
  }

  /** The same counters under the supervisor's view of the state. */
  public TrainerStatus supervised(RunState newState, int restartCount, String error) {
    return new TrainerStatus(newState, models, restartCount, error);
  }

  /** Training steps over all models. */
  public long steps() {
    return models.stream().mapToLong(ModelStatus::steps).sum();
  }

  @Override
  public JsonObject toJson() {
    JsonObject byModel = new JsonObject();
    models.forEach(m -> byModel.put(m.key(), m.toJson()));
    return new JsonObject().put("state", state.wireName()).put("steps", steps()).put("models", byModel)
        .put("restarts", restarts).put("last_error", lastError);
  }
}
