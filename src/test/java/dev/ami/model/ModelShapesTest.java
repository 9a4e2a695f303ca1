package dev.ami.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The three models at ami's sizes: shapes in and out, and parameter counts worked out by hand. */
class ModelShapesTest {
  private NDManager m;
  private ParameterStore store;

  @BeforeEach
  void manager() {
    m = NDManager.newBaseManager();
    JniUtils.setGradMode(false);
    store = new ParameterStore(m, false);
  }

  @AfterEach
  void close() {
    m.close();
  }

  @Test
  @DisplayName("no array a forward or backward makes outlives its step: the model's own manager does not grow")
  void forwardLeavesNothingBehind() {
    VaeSpec vaeSpec = new VaeSpec(48, 8, 16, 16);
    DynamicsSpec fdSpec = new DynamicsSpec(16, 2, 16, 16, 0.1, 4);
    PolicySpec pSpec = new PolicySpec(48, 8, 16);
    VaeEncoder encoder = new VaeEncoder(vaeSpec);
    VaeDecoder decoder = new VaeDecoder(vaeSpec);
    ForwardDynamics fd = new ForwardDynamics(fdSpec);
    PolicyValue pv = new PolicyValue(pSpec);
    encoder.initialize(m, DataType.FLOAT32, vaeSpec.frameShape(1));
    decoder.initialize(m, DataType.FLOAT32, new Shape(1, 16));
    fd.initialize(m, DataType.FLOAT32, fd.inputShapes(1, 3));
    pv.initialize(m, DataType.FLOAT32, pSpec.frameShape(1));
    ai.djl.ndarray.BaseNDManager base = (ai.djl.ndarray.BaseNDManager) m;
    int before = base.getManagedArrays().size();
    for (int i = 0; i < 3; i++) {
      for (boolean training : new boolean[] {false, true}) {
        try (NDManager step = m.newSubManager();
             ai.djl.training.GradientCollector c = training
                 ? ai.djl.engine.Engine.getInstance().newGradientCollector() : null) {
          var x = step.randomUniform(0, 1, vaeSpec.frameShape(1));
          var z = encoder.forward(store, new NDList(x), training).get(0);
          var loss = decoder.forward(store, new NDList(z), training).singletonOrThrow().mean();
          Shape[] in = fd.inputShapes(1, 3);
          loss = loss.add(fd.forward(store, new NDList(step.randomNormal(in[0]), step.zeros(in[1]),
              step.randomNormal(in[2]), step.randomNormal(in[3])), training).get(0).mean());
          loss = loss.add(pv.forward(store, new NDList(x), training).get(0).mean());
          if (c != null) {
            c.backward(loss);
          }
        }
      }
    }
    assertThat(base.getManagedArrays().size()).as("arrays attached to the models' manager").isEqualTo(before);
  }

  private static long count(Block b) {
    return b.getParameters().values().stream().mapToLong(p -> p.getArray().getShape().size()).sum();
  }

  @Test
  @DisplayName("VAE at 84x84: SmallConvNet gives 7·7·64 = 3136 features; μ and σ > 0 of 512; the decoder gives 3x84x84")
  void vae() {
    VaeSpec spec = new VaeSpec(84, 32, 512, 128);
    VaeEncoder encoder = new VaeEncoder(spec);
    encoder.initialize(m, DataType.FLOAT32, spec.frameShape(2));
    NDList q = encoder.forward(store, new NDList(m.randomUniform(0, 1, spec.frameShape(2))), false);
    assertThat(q.get(0).getShape()).isEqualTo(new Shape(2, 512));
    assertThat(q.get(1).min().getFloat()).as("σ = softplus + 1e-7").isPositive();
    // conv 3→32 k8: 6176, 32→64 k4: 32832, 64→64 k3: 36928, Linear 3136→512: 1606144, two heads 512→512: 525312
    assertThat(count(encoder)).isEqualTo(6176 + 32832 + 36928 + 1606144 + 525312);
    VaeDecoder decoder = new VaeDecoder(spec);
    decoder.initialize(m, DataType.FLOAT32, new Shape(2, 512));
    assertThat(decoder.forward(store, new NDList(q.get(0)), false).singletonOrThrow().getShape())
        .isEqualTo(new Shape(2, 3, 84, 84));
    // Linear 512→36: 18468; conv k3 1→512: 5120; conv k5 128→256: 819456; conv k3 64→48: 27696; bias 3·84·84
    assertThat(count(decoder)).isEqualTo(18468 + 5120 + 819456 + 27696 + 21168);
  }

  @Test
  @DisplayName("forward dynamics: (z 512, 5 actions × 8) → 552 → 512, 4 SConv blocks, μ̂ of 512, hidden (4, 512) complex")
  void dynamics() {
    DynamicsSpec spec = new DynamicsSpec(512, 4, 512, 512, 0.1, 8);
    ForwardDynamics fd = new ForwardDynamics(spec);
    fd.initialize(m, DataType.FLOAT32, fd.inputShapes(1, 8));
    Shape[] in = fd.inputShapes(1, 8);
    NDList out = fd.forward(store, new NDList(m.randomNormal(in[0]), m.zeros(in[1]), m.zeros(in[2]), m.zeros(in[3])),
        false);
    assertThat(out.get(0).getShape()).isEqualTo(new Shape(1, 8, 512));
    assertThat(out.get(1).getShape()).isEqualTo(new Shape(1, 4, 512));
    // embeddings 13·8, in 552·512+512, per block: 2 LayerNorms 2·1024, θ and B 2·1024, gate 512·512+512,
    // FFN 2·(512·512+512); out 512·512+512
    long block = 2 * 1024 + 2 * 1024 + (512 * 512 + 512) + 2 * (512 * 512 + 512);
    assertThat(count(fd)).isEqualTo(13 * 8 + (552 * 512 + 512) + 4 * block + (512 * 512 + 512));
  }

  @Test
  @DisplayName("policy and value: 13 logits (3,3,3,2,2) without bias and one value from the raw frame")
  void policy() {
    PolicySpec spec = new PolicySpec(84, 32, 512);
    PolicyValue pv = new PolicyValue(spec);
    pv.initialize(m, DataType.FLOAT32, spec.frameShape(3));
    NDList out = pv.forward(store, new NDList(m.randomUniform(0, 1, spec.frameShape(3))), false);
    assertThat(out.get(0).getShape()).isEqualTo(new Shape(3, 13));
    assertThat(out.get(1).getShape()).isEqualTo(new Shape(3, 1));
    float[] probs = PolicyValue.logProbs(out.get(0)).exp().toFloatArray();
    for (int h = 0; h < ActionHeads.COUNT; h++) {
      float sum = 0;
      for (int k = 0; k < ActionHeads.SIZES[h]; k++) {
        sum += probs[ActionHeads.offset(h) + k];
      }
      assertThat(sum).as("part %d sums to 1", h).isBetween(0.9999f, 1.0001f);
    }
    long trunk = 6176 + 32832 + 36928 + 1606144;
    assertThat(count(pv)).isEqualTo(trunk + 2 * (512 * 512 + 512) + 512 * 13 + 513);
  }
}
