package dev.ami.params;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a snapshot group's arrays into a block's parameters in place: a native copy into memory the
 * parameters already own, never a rebinding to a Java buffer, and never into a block of another shape.
 */
public final class SnapshotCopy {
  /** Every element: {@code set(ALL, source)} is a native in-place copy. */
  static final NDIndex ALL = new NDIndex("...");

  private SnapshotCopy() {
  }

  /** The block's parameters, in the order snapshots list them. */
  public static List<Parameter> parameters(Block block) {
    List<Parameter> out = new ArrayList<>();
    for (Pair<String, Parameter> p : block.getParameters()) {
      out.add(p.getValue());
    }
    return out;
  }

  /**
   * Checks that {@code source} fits {@code targets} array for array and shape for shape.
   *
   * @throws IllegalStateException naming {@code what} and the first mismatch
   */
  public static void checkFits(String what, List<NDArray> source, List<Parameter> targets) {
    if (source.size() != targets.size()) {
      throw new IllegalStateException(what + " has " + source.size() + " arrays, the model has " + targets.size());
    }
    for (int i = 0; i < source.size(); i++) {
      if (!source.get(i).getShape().equals(targets.get(i).getArray().getShape())) {
        throw new IllegalStateException(what + " parameter " + i + " has shape " + source.get(i).getShape()
            + ", the model expects " + targets.get(i).getArray().getShape());
      }
    }
  }

  /** Checks, then copies; call with the snapshot acquired, on the thread that owns the targets. */
  public static void copy(String what, List<NDArray> source, List<Parameter> targets) {
    checkFits(what, source, targets);
    JniUtils.setGradMode(false); // per thread; an in-place write to a parameter needs it off
    for (int i = 0; i < source.size(); i++) {
      targets.get(i).getArray().set(ALL, source.get(i));
    }
  }

  /** Copies one array into another of the same shape in place (grad mode off on this thread). */
  public static void copyInto(NDArray source, NDArray target) {
    JniUtils.setGradMode(false);
    target.set(ALL, source);
  }

  /** Copies group {@code group} of {@code snapshot} into {@code block}, acquiring it for the copy. */
  public static boolean copyGroup(ParamSnapshot snapshot, String group, Block block) {
    if (!snapshot.tryAcquire()) {
      return false;
    }
    try {
      copy("snapshot " + snapshot.key() + "@" + snapshot.version() + " group " + group, snapshot.group(group),
          parameters(block));
      return true;
    } finally {
      snapshot.release();
    }
  }
}
