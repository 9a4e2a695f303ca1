package dev.ami.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam exactly as {@code torch.optim.Adam} computes it (no amsgrad), through DJL's fused native Adam kernel:
 * one JNI call per parameter; with a weight decay, {@code torch.optim.AdamW}'s decoupled decay
 * ({@code w *= 1 - lr·wd} before the update).
 *
 * <p>Why not DJL's {@code Optimizer.adam()}: DJL's kernel computes
 * {@code w -= lr * sqrt(bc2) / bc1 * m / (sqrt(v) + eps)}, i.e. it adds eps <em>before</em> the bias
 * correction of the second moment, while PyTorch computes {@code w -= lr / bc1 * m / (sqrt(v / bc2) + eps)}.
 * DJL's effective eps is therefore {@code 1 / sqrt(bc2)} times larger: 31x at step 1, 10x at step 10. With
 * this autoencoder's small decoder gradients (|g| about 1e-5..1e-7) that visibly damps the first hundreds
 * of updates. Passing {@code eps * sqrt(bc2)} to the same kernel makes it algebraically PyTorch's update;
 * measured on the reference autoencoder, the loss trajectory then matches PyTorch to 6 digits.
 * See docs/performance.md ("Adam").
 */
final class TorchAdam implements AutoCloseable {
  private static final NDIndex ALL = new NDIndex("...");
  private final List<NDArray> weights = new ArrayList<>();
  private final List<NDArray> firstMoments = new ArrayList<>();
  private final List<NDArray> secondMoments = new ArrayList<>();
  private final NDManager stateManager;
  private final float lr;
  private final float beta1;
  private final float beta2;
  private final float eps;
  private final float decay;
  private int t;

  /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8; no weight decay (torch.optim.Adam). */
  TorchAdam(List<Parameter> parameters, NDManager stateManager, float lr) {
    this(parameters, stateManager, lr, 0f);
  }

  /** torch.optim.AdamW with its defaults but the given weight decay (AdamW's default is 0.01). */
  TorchAdam(List<Parameter> parameters, NDManager stateManager, float lr, float weightDecay) {
    this(parameters, stateManager, lr, 0.9f, 0.999f, 1e-8f, weightDecay);
  }

  TorchAdam(List<Parameter> parameters, NDManager stateManager, float lr, float beta1, float beta2, float eps,
            float weightDecay) {
    this.decay = 1f - lr * weightDecay;
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.stateManager = stateManager;
    for (Parameter p : parameters) {
      NDArray w = p.getArray();
      weights.add(w);
      firstMoments.add(zerosLike(w));
      secondMoments.add(zerosLike(w));
    }
  }

  /**
   * Applies one update from the weights' gradients, then zeroes the gradients in place (PyTorch's
   * {@code zero_grad}). The gradient wrappers DJL creates are attached to {@code scratch}.
   */
  void step(NDManager scratch) {
    step(scratch, 1f);
  }

  /**
   * The same with every gradient multiplied by {@code gradScale} first, inside the fused kernel (its rescale
   * argument scales a copy of the gradient before the moments see it): {@code clip_grad_norm_} at no extra cost.
   */
  void step(NDManager scratch, float gradScale) {
    t++;
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    // DJL's kernel: w -= lrbc * m / (sqrt(v) + epsK) with lrbc = lr*sqrt(bc2)/bc1. With epsK = eps*sqrt(bc2)
    // that equals (lr/bc1) * m / (sqrt(v)/sqrt(bc2) + eps), which is torch.optim.Adam.
    float lrbc = (float) (lr * Math.sqrt(bc2) / bc1);
    float epsK = (float) (eps * Math.sqrt(bc2));
    for (int i = 0; i < weights.size(); i++) {
      NDArray w = weights.get(i);
      NDArray g = w.getGradient();
      g.attach(scratch); // frees the wrapper with the step; the gradient storage stays with w
      if (decay != 1f) {
        w.muli(decay); // AdamW: decoupled from the gradient, before the moments are used
      }
      w.getNDArrayInternal().adamUpdate(new NDList(w, g, firstMoments.get(i), secondMoments.get(i)), new NDList(w),
          lr, lrbc, 0f /* weight decay */, gradScale, -1f /* no clipping */, beta1, beta2, epsK,
          false /* lazy */, false /* adamw */);
      JniUtils.zeroGrad((PtNDArray) w);
    }
  }

  /** Drops the gradients without an update (a skipped step). */
  void zeroGradients(NDManager scratch) {
    for (NDArray w : weights) {
      w.getGradient().attach(scratch);
      JniUtils.zeroGrad((PtNDArray) w);
    }
  }

  /** Forgets the moments and the step count, as a freshly made torch.optim.Adam (after a rollback). */
  void reset() {
    t = 0;
    for (int i = 0; i < weights.size(); i++) { // new arrays: moments may hold NaN, and NaN * 0 is NaN
      firstMoments.set(i, zerosLike(weights.get(i))).close();
      secondMoments.set(i, zerosLike(weights.get(i))).close();
    }
  }

  /**
   * Native copies of the moments, first moments then second moments in parameter order, attached to
   * {@code into}: for a checkpoint, taken between two steps.
   */
  List<NDArray> copyState(NDManager into) {
    List<NDArray> out = new ArrayList<>(2 * weights.size());
    for (List<NDArray> moments : List.of(firstMoments, secondMoments)) {
      for (NDArray m : moments) {
        NDArray copy = m.duplicate();
        copy.attach(into);
        out.add(copy);
      }
    }
    return out;
  }

  /**
   * Takes up saved moments (in {@link #copyState} order) and the step count: copied in place, shape by shape.
   *
   * @throws IllegalStateException when the saved state does not fit these parameters
   */
  void restoreState(List<NDArray> state, int steps) {
    if (state.size() != 2 * weights.size()) {
      throw new IllegalStateException("optimizer state has " + state.size() + " arrays, the model needs "
          + 2 * weights.size());
    }
    for (int i = 0; i < state.size(); i++) {
      NDArray target = (i < weights.size() ? firstMoments : secondMoments).get(i % weights.size());
      if (!state.get(i).getShape().equals(target.getShape())) {
        throw new IllegalStateException("optimizer moment " + i + " has shape " + state.get(i).getShape()
            + ", the model expects " + target.getShape());
      }
    }
    for (int i = 0; i < state.size(); i++) {
      NDArray target = (i < weights.size() ? firstMoments : secondMoments).get(i % weights.size());
      target.set(ALL, state.get(i));
    }
    t = steps;
  }

  private NDArray zerosLike(NDArray w) {
    return stateManager.zeros(w.getShape(), w.getDataType());
  }

  /** Updates applied since construction or the last {@link #reset()}. */
  int steps() {
    return t;
  }

  @Override
  public void close() {
    firstMoments.forEach(NDArray::close);
    secondMoments.forEach(NDArray::close);
  }
}
