package dev.ami.kind;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Reads a block's parameter shapes off a copy initialised in a manager of its own, freed at once. */
final class SnapshotShapes {
  private SnapshotShapes() {
  }

  /** The shapes of {@code build}'s parameters, in parameter order, once initialised for these inputs. */
  static List<List<Long>> of(Supplier<Block> build, Shape... inputs) {
    try (NDManager m = NDManager.newBaseManager()) {
      Block b = build.get();
      b.initialize(m, DataType.FLOAT32, inputs);
      List<List<Long>> shapes = new ArrayList<>();
      for (Pair<String, Parameter> p : b.getParameters()) {
        shapes.add(dims(p.getValue().getArray().getShape()));
      }
      return shapes;
    }
  }

  /** A single parameter of this many numbers (a trainer's running statistics). */
  static List<List<Long>> vector(int size) {
    return List.of(List.of((long) size));
  }

  private static List<Long> dims(Shape shape) {
    List<Long> out = new ArrayList<>();
    for (long d : shape.getShape()) {
      out.add(d);
    }
    return out;
  }
}
