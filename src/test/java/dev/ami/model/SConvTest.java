package dev.ami.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import dev.ami.support.Golden;
import io.vertx.core.json.JsonObject;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The SConv recurrence against hand-computed and golden values, and window-by-scan = step-by-step. */
class SConvTest {
  private NDManager m;

  @BeforeEach
  void manager() {
    m = NDManager.newBaseManager();
    JniUtils.setGradMode(false);
  }

  @AfterEach
  void close() {
    m.close();
  }

  private static void close(float[] actual, float[] expected, float tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i],
          within(tolerance * Math.max(1f, Math.abs(expected[i]))));
    }
  }

  private NDList scan(float[] theta, float[] b, float[] x, int steps, float[] h0Re, float[] h0Im) {
    int d = theta.length / 2;
    NDList lambda = SConv.decay(m.create(theta, new Shape(2, d)), m);
    NDArray bb = m.create(b, new Shape(2, d));
    return SConv.scan(m.create(x, new Shape(1, steps, d)), m.create(h0Re, new Shape(1, d)),
        m.create(h0Im, new Shape(1, d)), lambda.get(0), lambda.get(1), bb.get(0), bb.get(1));
  }

  @Test
  @DisplayName("by hand: a real decay e^-1 sums the inputs; an imaginary one turns the state a quarter each step")
  void byHand() {
    // channel 0: θ = 1 → λ = e^-1; B = 1 + i; h0 = 0; x = 1, 2 → h1 = 1 + i, h2 = (2 + e^-1)(1 + i)
    // channel 1: θ = i → λ = i·e^-1; B = 0; h0 = 1 → h1 = i·e^-1 (y 0), h2 = -e^-2 (y -e^-2)
    float e1 = (float) Math.exp(-1);
    // layouts: θ and B are (2, D) = [re..., im...]; x is (T, D)
    NDList out = scan(new float[] {1, 0, 0, 1}, new float[] {1, 0, 1, 0}, new float[] {1, 0, 2, 0}, 2,
        new float[] {0, 1}, new float[] {0, 0});
    close(SConv.decay(m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2)), m).get(0).toFloatArray(),
        new float[] {e1, 0}, 1e-6f);
    close(SConv.decay(m.create(new float[] {1, 0, 0, 1}, new Shape(2, 2)), m).get(1).toFloatArray(),
        new float[] {0, e1}, 1e-6f);
    close(out.get(0).toFloatArray(), new float[] {1, 0, 2 + e1, -e1 * e1}, 1e-6f);
    close(out.get(1).toFloatArray(), new float[] {2 + e1, -e1 * e1}, 1e-6f);
    close(out.get(2).toFloatArray(), new float[] {2 + e1, 0}, 1e-6f);
  }

  @Test
  @DisplayName("golden: λ, the outputs of three steps and the last hidden state of four channels")
  void golden() {
    JsonObject g = Golden.section("sconv");
    float[] theta = concat(Golden.floats(g, "theta_re"), Golden.floats(g, "theta_im"));
    float[] b = concat(Golden.floats(g, "B_re"), Golden.floats(g, "B_im"));
    NDList lambda = SConv.decay(m.create(theta, new Shape(2, 4)), m);
    close(lambda.get(0).toFloatArray(), Golden.floats(g, "lambda_re"), 1e-5f);
    close(lambda.get(1).toFloatArray(), Golden.floats(g, "lambda_im"), 1e-5f);
    NDList out = scan(theta, b, Golden.floats(g, "x"), 3, Golden.floats(g, "h0_re"), Golden.floats(g, "h0_im"));
    close(out.get(0).toFloatArray(), Golden.floats(g, "y"), 1e-5f);
    close(out.get(1).toFloatArray(), Golden.floats(g, "h_last_re"), 1e-5f);
    close(out.get(2).toFloatArray(), Golden.floats(g, "h_last_im"), 1e-5f);
  }

  @Test
  @DisplayName("the forward model over a window equals the same window step by step from a carried hidden state")
  void windowEqualsSteps() {
    DynamicsSpec spec = new DynamicsSpec(16, 3, 32, 24, 0.1, 4);
    ForwardDynamics fd = new ForwardDynamics(spec);
    int t = 8;
    fd.initialize(m, DataType.FLOAT32, fd.inputShapes(1, t));
    ParameterStore store = new ParameterStore(m, false);
    SplittableRandom random = new SplittableRandom(4);
    NDArray z = m.randomNormal(new Shape(1, t, spec.latent()));
    float[] actions = new float[t * 13];
    for (int i = 0; i < t; i++) {
      ActionHeads.oneHot(new int[] {random.nextInt(3), random.nextInt(3), random.nextInt(3), random.nextInt(2),
          random.nextInt(2)}, actions, i * 13);
    }
    NDArray a = m.create(actions, new Shape(1, t, 13));
    NDArray hRe = m.randomNormal(new Shape(1, spec.depth(), spec.width()));
    NDArray hIm = m.randomNormal(new Shape(1, spec.depth(), spec.width()));
    NDList window = fd.forward(store, new NDList(z, a, hRe, hIm), false);

    NDArray re = hRe;
    NDArray im = hIm;
    NDList predictions = new NDList();
    for (int i = 0; i < t; i++) {
      String step = ":, " + i + ":" + (i + 1);
      NDList one = fd.forward(store, new NDList(z.get(step), a.get(step), re, im), false);
      predictions.add(one.get(0));
      re = one.get(1);
      im = one.get(2);
    }
    close(NDArrays.concat(predictions, 1).toFloatArray(), window.get(0).toFloatArray(), 1e-4f);
    close(re.toFloatArray(), window.get(1).toFloatArray(), 1e-4f);
    close(im.toFloatArray(), window.get(2).toFloatArray(), 1e-4f);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = new float[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
