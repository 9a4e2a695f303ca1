package dev.ami.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * ResNetFD (fd.kind=resnet) against a hand computation: every weight drawn at random, then the forward pass worked
 * out again with plain loops over those same numbers, following docs/models.md's definition, and compared.
 */
@DisplayName("ResNetFD, the stateless forward model")
class ResNetDynamicsTest {
  private static final DynamicsSpec SPEC = new DynamicsSpec(3, 2, 4, 4, 0, 2, DynamicsSpec.RESNET);
  private NDManager m;

  @BeforeEach
  void manager() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  @Test
  @DisplayName("one forward pass over two steps equals the hand computation; its state is the last action")
  void knownAnswer() {
    ResNetDynamics fd = new ResNetDynamics(SPEC);
    fd.initialize(m, DataType.FLOAT32, fd.inputShapes(1, 2));
    SplittableRandom random = new SplittableRandom(9);
    Map<String, float[]> w = new HashMap<>();
    for (Pair<String, Parameter> p : fd.getParameters()) {
      NDArray a = p.getValue().getArray();
      float[] values = new float[(int) a.size()];
      for (int i = 0; i < values.length; i++) {
        values[i] = (float) (random.nextDouble() * 2 - 1);
      }
      a.set(new ai.djl.ndarray.index.NDIndex("..."), m.create(values, a.getShape()));
      w.put(p.getKey().replaceFirst("^\\d+", ""), values); // DJL numbers its children: 01embed_table0
    }
    float[] z = {0.5f, -1f, 2f, 0.25f, 0f, -0.75f}; // (1,2,3)
    int[][] acts = {{0, 1, 2, 1, 0}, {2, 2, 0, 0, 1}};
    int[] prev = {1, 0, 1, 1, 1};
    float[] aOneHot = new float[26];
    ActionHeads.oneHot(acts[0], aOneHot, 0);
    ActionHeads.oneHot(acts[1], aOneHot, 13);
    float[] prevOneHot = new float[13];
    ActionHeads.oneHot(prev, prevOneHot, 0);
    NDList out = fd.forward(new ParameterStore(m, false), new NDList(m.create(z, new Shape(1, 2, 3)),
        m.create(aOneHot, new Shape(1, 2, 13)), m.create(prevOneHot, new Shape(1, 13))), false);

    float[] mu = out.get(0).toFloatArray();
    for (int t = 0; t < 2; t++) {
      double[] ep = embed(w, t == 0 ? prev : acts[0]);
      double[] ea = embed(w, acts[t]);
      double[] zt = {z[3 * t], z[3 * t + 1], z[3 * t + 2]};
      double[] x = linear(w, "in", cat(ep, zt, ea), 4);
      for (int b = 0; b < SPEC.depth(); b++) {
        double[] h = linear(w, "inner" + b, cat(ep, x, ea), 4);
        for (int i = 0; i < h.length; i++) {
          h[i] = h[i] > 0 ? h[i] : 0.2 * h[i];
        }
        double[] d = linear(w, "outer" + b, cat(ep, h, ea), 4);
        for (int i = 0; i < x.length; i++) {
          x[i] += d[i];
        }
      }
      double[] expected = linear(w, "out", cat(ep, x, ea), 3);
      for (int i = 0; i < 3; i++) {
        assertThat((double) mu[3 * t + i]).as("step %d, dim %d", t, i).isCloseTo(expected[i], within(1e-5));
      }
    }
    assertThat(out.get(1).toFloatArray()).as("the state after the window is its last action")
        .containsExactly(java.util.Arrays.copyOfRange(aOneHot, 13, 26));
  }

  @Test
  @DisplayName("a window equals its steps one at a time, each carrying the previous action as its state")
  void windowEqualsSteps() {
    ResNetDynamics fd = new ResNetDynamics(new DynamicsSpec(8, 3, 16, 16, 0, 4, DynamicsSpec.RESNET));
    fd.initialize(m, DataType.FLOAT32, fd.inputShapes(1, 6));
    ParameterStore store = new ParameterStore(m, false);
    NDArray z = m.randomNormal(new Shape(1, 6, 8));
    float[] actions = new float[6 * 13];
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < 6; i++) {
      ActionHeads.oneHot(new int[] {random.nextInt(3), random.nextInt(3), random.nextInt(3), random.nextInt(2),
          random.nextInt(2)}, actions, i * 13);
    }
    NDArray a = m.create(actions, new Shape(1, 6, 13));
    NDArray state = m.zeros(new Shape(1, 13));
    NDList window = fd.forward(store, new NDList(z, a, state), false);
    NDList steps = new NDList();
    for (int i = 0; i < 6; i++) {
      String at = ":, " + i + ":" + (i + 1);
      NDList one = fd.forward(store, new NDList(z.get(at), a.get(at), state), false);
      steps.add(one.get(0));
      state = one.get(1);
    }
    float[] joined = NDArrays.concat(steps, 1).toFloatArray();
    float[] all = window.get(0).toFloatArray();
    for (int i = 0; i < all.length; i++) {
      assertThat(joined[i]).isCloseTo(all[i], within(1e-5f));
    }
    assertThat(SPEC.hiddenSize()).isEqualTo(13);
  }

  /** The five parts' embeddings side by side: table h, row a_h. */
  private static double[] embed(Map<String, float[]> w, int[] action) {
    double[] out = new double[5 * SPEC.actionEmbed()];
    for (int h = 0; h < 5; h++) {
      float[] table = w.get("embed_table" + h);
      assertThat(table).as("parameter names: %s", w.keySet()).isNotNull();
      for (int d = 0; d < SPEC.actionEmbed(); d++) {
        out[h * SPEC.actionEmbed() + d] = table[action[h] * SPEC.actionEmbed() + d];
      }
    }
    return out;
  }

  /** y = W x + b, W stored (out, in) row-major as torch.nn.Linear. */
  private static double[] linear(Map<String, float[]> w, String layer, double[] x, int out) {
    float[] weight = w.get(layer + "_weight");
    float[] bias = w.get(layer + "_bias");
    assertThat(weight).as(layer + " weight").hasSize(out * x.length);
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = bias[o];
      for (int i = 0; i < x.length; i++) {
        s += weight[o * x.length + i] * x[i];
      }
      y[o] = s;
    }
    return y;
  }

  private static double[] cat(double[] a, double[] b, double[] c) {
    double[] out = new double[a.length + b.length + c.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    System.arraycopy(c, 0, out, a.length + b.length, c.length);
    return out;
  }
}
