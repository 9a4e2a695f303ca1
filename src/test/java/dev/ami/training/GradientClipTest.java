package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The global gradient-norm clip against a hand computation: two parameters whose gradients are known, so their
 * L2 norm over all of the model's gradients is known, and what Adam's first moment holds after one update tells
 * how far the gradient was scaled.
 */
class GradientClipTest {
  /** loss = Σ (x · W + b) with x = (3, 4) per row of two: dL/dW = (6, 8), dL/db = 2; global norm √(36+64+4). */
  private static final class LinearTrainer extends TrainerBase {
    private final Block linear = Linear.builder().setUnits(1).build();
    private float inputScale = 1; // x = (3a, 4a): dL/dW = (6a, 8a), dL/db = 2

    LinearTrainer(double maxNorm, double clipMedians) {
      this(maxNorm);
      clipToMedians(clipMedians);
    }

    LinearTrainer(double maxNorm) {
      super("clip-test", 1);
      linear.setInitializer(new ConstantInitializer(0.5f), ai.djl.nn.Parameter.Type.WEIGHT);
      linear.setInitializer(new ConstantInitializer(0.5f), ai.djl.nn.Parameter.Type.BIAS);
      linear.initialize(manager, DataType.FLOAT32, new Shape(2, 2));
      optimize(1e-3, 0, linear);
      clipGradNorm(maxNorm);
    }

    @Override
    public float step() {
      float a = inputScale;
      return update(m -> linear.forward(store,
          new NDList(m.create(new float[] {3 * a, 4 * a, 3 * a, 4 * a}, new Shape(2, 2))), true)
          .singletonOrThrow().sum());
    }

    float[] firstMoments() {
      try (NDManager into = NDManager.newBaseManager()) {
        List<NDArray> state = copyOptimizerState(into);
        float[] w = state.get(0).toFloatArray();
        float[] b = state.get(1).toFloatArray();
        return new float[] {w[0], w[1], b[0]};
      }
    }

    @Override
    public String key() {
      return "clip";
    }

    @Override
    public boolean canStartRun(boolean ignoreNewSamples) {
      return true;
    }

    @Override
    public int beginRun() {
      return 1;
    }

    @Override
    public boolean nextBatch() {
      return true;
    }

    @Override
    public Map<String, Block> groups() {
      return Map.of("model", linear);
    }

    @Override
    public int bufferSize() {
      return 0;
    }

    @Override
    public int publishEvery() {
      return 1;
    }
  }

  @Test
  @DisplayName("the norm is taken over all gradients together (√104), and the update uses them scaled to 0.5")
  void clipsToTheGlobalNorm() {
    double norm = Math.sqrt(36 + 64 + 4);
    try (LinearTrainer t = new LinearTrainer(0.5)) {
      t.step();
      assertThat(t.lastGradNorm()).isCloseTo(norm, within(1e-4));
      double scale = 0.5 / (norm + 1e-6);
      // Adam's first moment after one step is (1 − β1) · g = 0.1 · g, g being the gradient it was given
      assertThat(t.firstMoments()).containsExactly(new float[] {(float) (0.1 * 6 * scale), (float) (0.1 * 8 * scale),
          (float) (0.1 * 2 * scale)}, within(1e-6f));
    }
  }

  @Test
  @DisplayName("adaptive: after the warm-up, a gradient 98 medians large reaches Adam scaled to 10 medians")
  void clipsToTenMedians() {
    double usual = Math.sqrt(36 + 64 + 4);
    double large = Math.sqrt(600 * 600 + 800 * 800 + 4); // x scaled by 100: dL/dW = (600, 800), dL/db = 2
    for (double factor : new double[] {10, 0}) {
      try (LinearTrainer t = new LinearTrainer(0, factor)) {
        for (int i = 0; i < GradientGuard.WARM_UP; i++) {
          t.step();
        }
        assertThat(t.medianClips()).isZero();
        t.inputScale = 100;
        t.step();
        assertThat(t.lastGradNorm()).as("the norm before clipping").isCloseTo(large, within(1e-2));
        // the window held 32 usual norms before this one: its median is the usual norm
        double scale = factor == 0 ? 1 : 10 * usual / (large + 1e-6);
        double before = 1 - Math.pow(0.9, GradientGuard.WARM_UP); // m after 32 equal gradients g: (1 − 0.9^32) g
        float[] expected = {(float) (0.9 * before * 6 + 0.1 * 600 * scale),
            (float) (0.9 * before * 8 + 0.1 * 800 * scale), (float) (0.9 * before * 2 + 0.1 * 2 * scale)};
        assertThat(t.firstMoments()).as("factor %s", factor).containsExactly(expected, within(2e-4f));
        assertThat(t.medianClips()).isEqualTo(factor == 0 ? 0 : 1);
      }
    }
  }

  @Test
  @DisplayName("below the limit, or with clipping off (0), the gradients reach Adam unscaled")
  void leavesSmallGradientsAlone() {
    for (double limit : new double[] {0, 100}) {
      try (LinearTrainer t = new LinearTrainer(limit)) {
        t.step();
        assertThat(t.lastGradNorm()).isCloseTo(Math.sqrt(104), within(1e-4));
        assertThat(t.firstMoments()).containsExactly(new float[] {0.6f, 0.8f, 0.2f}, within(1e-6f));
      }
    }
  }
}
