package dev.ami.redeploy;

import dev.ami.bus.ModelKeys;
import dev.ami.bus.RedeployRequest;
import dev.ami.checkpoint.CheckpointException;
import dev.ami.checkpoint.CheckpointReader;
import dev.ami.checkpoint.ModelShapes;
import dev.ami.checkpoint.Resume;
import dev.ami.config.AmiConfig;
import dev.ami.config.RunOptions;
import dev.ami.config.Sections;
import dev.ami.kind.MemoryEstimator;
import dev.ami.memory.MemoryBudget;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.TrainerState;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a redeploy can go and what it will do, before anything is built: keys that only a restart
 * changes, a frame size the trainer's buffers would not take, the new models' memory, shapes that will not fit
 * the side that stays, and the checkpoint a new trainer starts from. Blocking (it builds blocks to read shapes
 * and may read a checkpoint): run it on a worker.
 */
public final class RedeployPlanner {
  private RedeployPlanner() {
  }

  /**
   * @throws IllegalArgumentException with the reason the redeploy is refused
   * @throws CheckpointException when {@code from} names no usable checkpoint
   */
  public static RedeployPlan plan(AmiConfig old, AmiConfig next, RedeployRequest request) throws CheckpointException {
    boolean agent = request.agent();
    boolean trainer = request.trainer();
    List<String> changed = Sections.changed(old, next);
    List<String> fixed = changed.stream().filter(Sections::ofTheProcess)
        .map(k -> Sections.describeChange(k, old, next)).toList(); // a token's value never shows
    if (!fixed.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", fixed) + " cannot change in a redeploy; restart with it");
    }
    int sideBefore = RunOptions.from(old).inputSize();
    int sideAfter = RunOptions.from(next).inputSize();
    if (sideBefore != sideAfter && !(agent && trainer)) {
      throw new IllegalArgumentException("model.input_size (" + sideBefore + " -> " + sideAfter
          + ") changes the frames the agent trains on: redeploy target all");
    }
    if (request.from() != null && !trainer) {
      throw new IllegalArgumentException("from needs the trainer: use target trainer or all");
    }
    if (request.fresh() && !trainer) {
      throw new IllegalArgumentException("fresh needs the trainer: use target trainer or all");
    }
    boolean modelChanged = changed.stream().anyMatch(Sections::ofTheModels);
    if (modelChanged) {
      // the new models alone must fit; during the handover both sets live for a moment, as at any publish
      MemoryBudget.verify(next, MemoryEstimator.estimate(next));
    }
    List<String> warnings = new ArrayList<>();
    List<String> misfits = List.of();
    Map<String, Map<String, List<List<Long>>>> newShapes = null;
    if (modelChanged || request.from() != null) {
      newShapes = ModelShapes.of(next);
      misfits = changedModels(ModelShapes.of(old), newShapes);
      if (!misfits.isEmpty() && agent && !trainer) {
        warnings.add("the new agent's " + misfits + " do not fit the trainer's snapshots: it acts on its own "
            + "initial weights for them until the trainer is redeployed with the same model (target trainer or all)");
      }
      if (!misfits.isEmpty() && trainer && !agent) {
        warnings.add("the new trainer's " + misfits + " snapshots do not fit the running agent: it keeps its "
            + "parameters for them until it is redeployed with the same model (target agent or all)");
      }
    }
    boolean vaeChanged = misfits.contains(ModelKeys.VAE) || misfits.contains(ModelKeys.AE);
    return new RedeployPlan(next, agent, trainer, agent && vaeChanged, List.copyOf(warnings),
        request.from() == null ? null : checkpointState(next, request.from(), newShapes), request.fresh());
  }

  /** The models whose snapshot shapes differ, or that one side has and the other not, in key order. */
  static List<String> changedModels(Map<String, ?> before, Map<String, ?> after) {
    return Sections.differing(before, after);
  }

  /** "latest", a run folder or a checkpoint, as run --resume takes them: its training state only. */
  private static TrainerState checkpointState(AmiConfig next, String from,
                                              Map<String, Map<String, List<List<Long>>>> shapes)
      throws CheckpointException {
    CheckpointReader.Checked checked = CheckpointReader.first(Resume.candidates(next, from), Path.of(from), shapes)
        .chosen();
    CheckpointReader.Loaded loaded = CheckpointReader.load(checked, null);
    loaded.snapshots().values().forEach(ParamSnapshot::release); // the trainer state keeps its own
    return loaded.trainer();
  }
}
