package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each group's arrays by data type and shape: what must match for one snapshot's memory to hold another's (a
 * spare reused by a decode or a publish). Groups compare by name, arrays in order.
 */
final class ArrayLayout {
  private ArrayLayout() {
  }

  /** One array's data type and shape. */
  record Array(DataType type, Shape shape) {
    long bytes() {
      return shape.size() * type.getNumOfBytes();
    }
  }

  /** The layout of {@code groups}' arrays. */
  static Map<String, List<Array>> of(Map<String, List<NDArray>> groups) {
    Map<String, List<Array>> layout = new LinkedHashMap<>();
    groups.forEach((name, arrays) -> layout.put(name,
        arrays.stream().map(a -> new Array(a.getDataType(), a.getShape())).toList()));
    return layout;
  }
}
