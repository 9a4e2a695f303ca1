package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.ami.params.ParamSnapshot;
import java.util.List;
import java.util.Map;

/**
 * One model's trainer. The {@link TrainerLoop} drives every trainer round-robin on the one training thread
 * (DJL allows one gradient collector per JVM): a run is planned from the data there is, then stepped a
 * slice at a time. Not thread-safe: built, stepped and closed on that thread.
 */
public interface ModelTrainer extends AutoCloseable {
  /** The model's snapshot key: vae, fd, policy or ae. */
  String key();

  /**
   * True when a run may start: the buffer holds its minimum and, unless {@code ignoreNewSamples}, enough new
   * samples arrived since the last run began.
   */
  boolean canStartRun(boolean ignoreNewSamples);

  /** Plans a run over the data there is now; returns its number of steps (0: nothing to learn from). */
  int beginRun();

  /** Loads the next batch of the run; false when the run has no more (or the data ran out). */
  boolean nextBatch();

  /** One update on the loaded batch; returns the loss. A non-finite loss leaves the parameters untouched. */
  float step();

  /** Called once a run is over, finished or cut short. */
  default void endRun() {
  }

  /** The global L2 norm of the last step's gradients before any clipping; NaN when unknown. */
  default double lastGradNorm() {
    return Double.NaN;
  }

  /** The summary of the run that just ended, once (PPO's update figures); null for trainers without one. */
  default dev.ami.bus.PpoUpdate takeUpdate() {
    return null;
  }

  /** The model's spec in words ({@code VaeSpec[...]}): snapshots carry it, so a misfit is explained. */
  default String spec() {
    return "";
  }

  /** The parameter groups a snapshot of this model holds, by group name. */
  Map<String, Block> groups();

  /** Copies a snapshot back into the live parameters (in place) and restarts the optimizer. */
  void restore(ParamSnapshot snapshot);

  /** True when every parameter is finite: only such a state may be published. */
  boolean parametersFinite();

  /** The fill of the buffer this model learns from. */
  int bufferSize();

  /** Steps between publishes inside a run (a run's end always publishes). */
  int publishEvery();

  /** Optimizer updates since the start or the last restore. */
  int optimizerSteps();

  /** Native copies of the optimizer's state (Adam: first, then second moments), for a checkpoint. */
  List<NDArray> copyOptimizerState(NDManager into);

  /** Takes up optimizer state saved by {@link #copyOptimizerState} and its step count, in place. */
  void restoreOptimizerState(List<NDArray> state, int steps);

  /** The trainer's own counters a checkpoint keeps (its gate's mark); empty when it has none. */
  default Map<String, Long> counters() {
    return Map.of();
  }

  /** Takes up counters saved by {@link #counters()}; unknown names are ignored. */
  default void restoreCounters(Map<String, Long> saved) {
  }

  @Override
  void close();
}
