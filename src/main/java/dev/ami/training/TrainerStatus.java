package dev.ami.training;

import dev.ami.bus.RunState;
import dev.ami.control.LoopStatus;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** What the trainer reports about itself: its state and each model's counters, in round-robin order. */
public record TrainerStatus(RunState state, List<ModelStatus> models) implements LoopStatus {
  /** Training steps over all models. */
  public long steps() {
    return models.stream().mapToLong(ModelStatus::steps).sum();
  }

  @Override
  public JsonObject toJson() {
    JsonObject byModel = new JsonObject();
    models.forEach(m -> byModel.put(m.key(), m.toJson()));
    return new JsonObject().put("state", state.wireName()).put("steps", steps()).put("models", byModel);
  }
}
