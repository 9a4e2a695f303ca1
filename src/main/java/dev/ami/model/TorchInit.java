package dev.ami.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.List;

/**
 * Re-initialises parameters the way PyTorch does by default: weights Kaiming-uniform with a = sqrt(5),
 * which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the
 * fan-in of their layer's weight. DJL's defaults made this autoencoder diverge to NaN within ten Adam steps.
 */
public final class TorchInit {
  private TorchInit() {
  }

  /** Applies the init to an initialised block. Weight and bias of one layer are adjacent in DJL's list. */
  public static void apply(Block block, NDManager scratch) {
    List<Pair<String, Parameter>> params = block.getParameters().stream().toList();
    long lastFanIn = -1;
    for (Pair<String, Parameter> p : params) {
      Parameter param = p.getValue();
      NDArray array = param.getArray();
      Shape shape = array.getShape();
      long fanIn;
      if (param.getType() == Parameter.Type.WEIGHT) {
        fanIn = shape.size() / shape.get(0);
        lastFanIn = fanIn;
      } else if (param.getType() == Parameter.Type.BIAS && lastFanIn > 0) {
        fanIn = lastFanIn;
      } else {
        continue;
      }
      float bound = (float) (1.0 / Math.sqrt(fanIn));
      try (NDManager m = scratch.newSubManager()) {
        NDArray u = m.randomUniform(-bound, bound, shape, array.getDataType());
        array.set(u.toFloatArray());
      }
    }
  }
}
