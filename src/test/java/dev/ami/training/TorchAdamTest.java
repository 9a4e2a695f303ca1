package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.initializer.ConstantInitializer;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TorchAdamTest {

  @Test
  @DisplayName("updates follow torch.optim.Adam's formula, eps added after bias correction (not DJL's placement)")
  void matchesTorchAdam() {
    Engine.getInstance();
    // gradients small enough that eps matters: DJL's own eps placement would make the first update of the
    // smallest one about half as large, far outside the tolerance
    float[] grad = {1e-1f, 1e-5f, 3e-7f};
    float lr = 1e-3f;
    try (NDManager manager = NDManager.newBaseManager()) {
      Parameter w = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).optShape(new Shape(3))
          .optInitializer(new ConstantInitializer(0.5f)).build();
      w.initialize(manager, DataType.FLOAT32);
      double[] expected = {0.5, 0.5, 0.5};
      double[] m = new double[3];
      double[] v = new double[3];
      try (TorchAdam adam = new TorchAdam(List.of(w), manager, lr)) {
        for (int t = 1; t <= 5; t++) {
          try (NDManager step = manager.newSubManager()) {
            NDArray c = step.create(grad);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
              gc.backward(w.getArray().mul(c).sum()); // d/dw = grad
            }
            adam.step(step);
          }
          for (int i = 0; i < 3; i++) { // torch.optim.Adam, single tensor path
            m[i] = 0.9 * m[i] + 0.1 * grad[i];
            v[i] = 0.999 * v[i] + 0.001 * grad[i] * grad[i];
            double bc1 = 1 - Math.pow(0.9, t);
            double bc2 = 1 - Math.pow(0.999, t);
            expected[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + 1e-8);
          }
          float[] actual = w.getArray().toFloatArray();
          for (int i = 0; i < 3; i++) {
            double moved = 0.5 - expected[i];
            assertThat(0.5 - actual[i]).as("step %d, element %d", t, i).isCloseTo(moved, within(moved * 0.01 + 1e-7));
          }
          assertThat(w.getArray().getGradient().toFloatArray()).as("gradient zeroed after the update")
              .containsOnly(0f);
        }
        assertThat(adam.steps()).isEqualTo(5);
        adam.reset();
        assertThat(adam.steps()).isZero();
      }
    }
  }
}
