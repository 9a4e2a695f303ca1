package dev.ami.params;

import ai.djl.ndarray.NDManager;
import io.vertx.core.shareddata.Shareable;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every model's training state at one moment between two training steps: what the trainer hands a
 * checkpoint, and what a resumed trainer starts from. Local-only. {@link #close()} releases the snapshots and
 * frees the optimizer copies, once: a second close (a failed redeploy's clean-up meeting the trainer's own) does
 * nothing, so it cannot replace the first failure's message with its own.
 */
public final class TrainerState implements AutoCloseable, Shareable {
  private final List<ModelState> models;
  private final double pauseMs;
  private final NDManager manager;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * @param pauseMs how long the training thread stopped to take this state
   * @param manager owns the optimizer arrays of every model
   */
  public TrainerState(List<ModelState> models, double pauseMs, NDManager manager) {
    this.models = List.copyOf(models);
    this.pauseMs = pauseMs;
    this.manager = manager;
  }

  public List<ModelState> models() {
    return models;
  }

  public double pauseMs() {
    return pauseMs;
  }

  public NDManager manager() {
    return manager;
  }

  /** The state of the model with this key, or null. */
  public ModelState model(String key) {
    return models.stream().filter(m -> m.key().equals(key)).findFirst().orElse(null);
  }

  @Override
  public Shareable copy() {
    return this; // handed over, never shared by two owners
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    for (ModelState m : models) {
      if (m.params() != null) {
        m.params().release();
      }
    }
    manager.close();
  }
}
