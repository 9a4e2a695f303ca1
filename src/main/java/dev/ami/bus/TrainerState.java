package dev.ami.bus;

import ai.djl.ndarray.NDManager;
import io.vertx.core.shareddata.Shareable;
import java.util.List;

/**
 * Every model's training state at one moment between two training steps: what the trainer hands a
 * checkpoint, and what a resumed trainer starts from. Local-only. {@link #close()} releases the snapshots and
 * frees the optimizer copies; call it exactly once, when the state has been written or taken up.
 *
 * @param pauseMs how long the training thread stopped to take this state
 * @param manager owns the optimizer arrays of every model
 */
public record TrainerState(List<ModelState> models, double pauseMs, NDManager manager)
    implements AutoCloseable, Shareable {
  /** The state of the model with this key, or null. */
  public ModelState model(String key) {
    return models.stream().filter(m -> m.key().equals(key)).findFirst().orElse(null);
  }

  @Override
  public Shareable copy() {
    return this; // handed over, never shared by two owners
  }

  @Override
  public void close() {
    for (ModelState m : models) {
      if (m.params() != null) {
        m.params().release();
      }
    }
    manager.close();
  }
}
