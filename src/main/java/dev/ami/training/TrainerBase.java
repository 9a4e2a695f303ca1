package dev.ami.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotCopy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What every trainer shares: a manager for the live model, its trainable parameters, the optimizer, and
 * the step skeleton (forward inside the one gradient collector, finiteness check, backward, update). Each
 * step's arrays live in a sub-manager closed before the step returns.
 */
abstract class TrainerBase implements ModelTrainer {
  protected final NDManager manager;
  protected final ParameterStore store;
  private final List<Parameter> parameters = new ArrayList<>();
  private TorchAdam adam;
  private Gate gate;
  private long nonFiniteGradients;
  private double maxGradNorm;
  private double clipMedians;
  private long medianClips;
  private double lastGradNorm = Double.NaN;
  private final GradientGuard guard = new GradientGuard(OUTLIER_FACTOR);
  private long outlierGradients;

  /** A gradient norm this many times the recent median is garbage, not learning ({@link GradientGuard}). */
  static final double OUTLIER_FACTOR = 1e4;

  private final long seed;

  TrainerBase(String name, long seed) {
    this.seed = seed;
    Engine.getInstance().setRandomSeed((int) seed);
    JniUtils.setGradMode(false); // grad mode is per thread: record a graph only inside a step's collector
    this.manager = NDManager.newBaseManager();
    manager.setName(name + "-trainer");
    this.store = new ParameterStore(manager, false); // the blocks' own arrays, no copies
  }

  /**
   * A generator for the draws made before the next optimizer step (a run's shuffle, a step's batch or windows),
   * from the seed and the optimizer's step count alone: the count travels in checkpoints, so a resumed trainer
   * draws as the uninterrupted one would have.
   */
  protected final java.util.SplittableRandom draws() {
    long z = seed * 0x9E3779B97F4A7C15L + optimizerSteps();
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return new java.util.SplittableRandom(z ^ (z >>> 31));
  }

  /** The seed libtorch's generator takes before the next optimizer step: another stream than {@link #draws()}. */
  final long libtorchSeed() {
    return draws().split().nextLong();
  }

  /** Call once the blocks are initialised: collects their trainable parameters and builds the optimizer. */
  protected final void optimize(double lr, double weightDecay, Block... blocks) {
    for (Block b : blocks) {
      for (Pair<String, Parameter> p : b.getParameters()) {
        if (p.getValue().requiresGradient()) {
          parameters.add(p.getValue());
        }
      }
    }
    this.adam = new TorchAdam(parameters, manager, (float) lr, (float) weightDecay);
  }

  /**
   * Clips every update's gradients to a global L2 norm of at most {@code max} (over all of the model's
   * gradients together, as {@code torch.nn.utils.clip_grad_norm_}); 0 turns clipping off.
   */
  protected final void clipGradNorm(double max) {
    this.maxGradNorm = max;
  }

  /**
   * Clips every update's gradients to a global L2 norm of at most {@code factor} times the median of the recent
   * accepted norms (the {@link GradientGuard}'s window, after its warm-up), an adaptive clip in the spirit of
   * AutoClip (Seetharaman et al. 2020); 0 turns it off. Why: Adam moves every weight by about lr whatever the
   * gradient's size, so a burst of gradients thousands of medians large, all pointing one way, moves the whole
   * network far in a few dozen steps. Clipped to a few medians, the same burst moves it as ordinary steps do.
   */
  protected final void clipToMedians(double factor) {
    this.clipMedians = factor;
  }

  /** Updates whose gradients were scaled down to {@code clip_medians} times the median norm. */
  public final long medianClips() {
    return medianClips;
  }

  /** The global L2 norm of the last update's gradients before clipping; NaN before the first. */
  @Override
  public final double lastGradNorm() {
    return lastGradNorm;
  }

  /**
   * One update: {@code loss} builds the loss from the step's manager inside the gradient collector. A
   * non-finite loss is returned without computing gradients, and a finite loss whose gradients are not
   * finite returns NaN without an update: either way the parameters stay as they were. With a gradient-norm
   * limit the update uses the gradients scaled by {@code min(1, max / (norm + 1e-6))}.
   *
   * <p>Why check the gradients: libtorch 2.7.1 on this CPU now and then returns NaN gradients from a finite
   * loss when its allocator hands out dirty memory (docs/performance.md, "oneDNN padded-channel NaN" and
   * "NaN gradients in the forward model"). Applied, one such step poisons every weight and Adam's moments. The
   * same fault sometimes gives finite but absurd gradients: those are refused too ({@link GradientGuard}).
   */
  protected final float update(Function<NDManager, NDArray> loss) {
    // libtorch's own draws in this step (the VAE's noise, dropout masks) follow from the seed and the step count,
    // like draws(): not from whatever the other trainers drew before on this thread, and the same after a resume
    JniUtils.setSeed(libtorchSeed());
    try (NDManager step = manager.newSubManager()) {
      float value;
      try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
        NDArray l = loss.apply(step);
        value = l.getFloat();
        if (!Float.isFinite(value)) {
          return value;
        }
        collector.backward(l);
      }
      double norm = gradientNorm(step);
      lastGradNorm = norm;
      if (!guard.accept(norm)) {
        adam.zeroGradients(step);
        if (Double.isFinite(norm)) {
          outlierGradients++;
        } else {
          nonFiniteGradients++;
        }
        return Float.NaN;
      }
      adam.step(step, (float) clipScale(norm));
      return value;
    }
  }

  /** The factor the gradients are scaled by: the smaller of the fixed and the adaptive limit's, at most 1. */
  private double clipScale(double norm) {
    double scale = 1;
    if (maxGradNorm > 0 && norm > maxGradNorm) {
      scale = maxGradNorm / (norm + 1e-6);
    }
    if (clipMedians > 0 && !Double.isNaN(guard.lastMedian())) {
      double limit = clipMedians * guard.lastMedian();
      if (norm > limit) {
        scale = Math.min(scale, limit / (norm + 1e-6));
        medianClips++;
      }
    }
    return scale;
  }

  /**
   * The global L2 norm of the gradients: one sum of squares per gradient, one read back. Any NaN or Inf element
   * makes it non-finite (so does a sum of squares beyond float range: such a step is skipped too).
   */
  private double gradientNorm(NDManager step) {
    NDArray total = null;
    for (Parameter p : parameters) {
      NDArray g = p.getArray().getGradient();
      g.attach(step);
      NDArray s = g.square().sum();
      total = total == null ? s : total.add(s);
    }
    return total == null ? 0 : Math.sqrt(total.getFloat());
  }

  /** Steps whose gradients were finite but absurd, {@link #OUTLIER_FACTOR} times the recent median (skipped). */
  public long outlierGradients() {
    return outlierGradients;
  }

  /** Steps whose finite loss came with non-finite gradients (skipped, see {@link #update}). */
  public long nonFiniteGradients() {
    return nonFiniteGradients;
  }

  @Override
  public void restore(ParamSnapshot snapshot) {
    restoreGroups(snapshot, groups());
  }

  /** Copies these groups of the snapshot in place and restarts the optimizer. */
  protected final void restoreGroups(ParamSnapshot snapshot, Map<String, Block> groups) {
    groups.forEach((name, block) -> SnapshotCopy.copy("snapshot " + snapshot.key() + "@" + snapshot.version()
        + " group " + name, snapshot.group(name), SnapshotCopy.parameters(block)));
    adam.reset(); // moments from a diverged run may hold NaN/Inf and would poison the next update again
  }

  /**
   * One reduction per parameter (a few milliseconds per publish): a step whose loss was finite can still write
   * NaN or Inf into the weights, and such a state must never become a snapshot.
   */
  @Override
  public boolean parametersFinite() {
    for (Parameter p : parameters) {
      try (NDArray sum = p.getArray().sum()) {
        if (!Float.isFinite(sum.getFloat())) {
          return false;
        }
      }
    }
    return true;
  }

  @Override
  public int optimizerSteps() {
    return adam.steps();
  }

  /** Registers the trainer's gate, so that checkpoints keep its mark; returns it. */
  protected final Gate gate(Gate g) {
    this.gate = g;
    return g;
  }

  @Override
  public Map<String, Long> counters() {
    return gate == null ? Map.of() : Map.of("gate_mark", gate.mark());
  }

  @Override
  public void restoreCounters(Map<String, Long> saved) {
    Long mark = saved.get("gate_mark");
    if (gate != null && mark != null) {
      gate.runStarted(mark);
    }
  }

  @Override
  public List<NDArray> copyOptimizerState(NDManager into) {
    return adam.copyState(into);
  }

  @Override
  public void restoreOptimizerState(List<NDArray> state, int steps) {
    adam.restoreState(state, steps);
  }

  @Override
  public void close() {
    if (adam != null) {
      adam.close();
    }
    manager.close();
  }
}
