package dev.ami.model;

/**
 * The discrete action as the models see it: five categorical parts (Vertical, Horizontal, LookHorizontal,
 * Jump, Run) of sizes 3, 3, 3, 2, 2, laid side by side in one vector of 13 logits or one-hot entries.
 */
public final class ActionHeads {
  /** Sizes of the parts, in VRChat's input order. */
  public static final int[] SIZES = {3, 3, 3, 2, 2};
  /** Number of parts. */
  public static final int COUNT = SIZES.length;
  /** Length of the side-by-side vector. */
  public static final int TOTAL = 13;
  private static final int[] OFFSETS = {0, 3, 6, 9, 11};

  private ActionHeads() {
  }

  /** Where part {@code head} starts in the side-by-side vector. */
  public static int offset(int head) {
    return OFFSETS[head];
  }

  /** Writes the one-hot encoding of {@code choices} (one index per part) into {@code out} at {@code at}. */
  public static void oneHot(int[] choices, float[] out, int at) {
    java.util.Arrays.fill(out, at, at + TOTAL, 0f);
    for (int h = 0; h < COUNT; h++) {
      if (choices[h] < 0 || choices[h] >= SIZES[h]) {
        throw new IllegalArgumentException("action part " + h + " is " + choices[h] + ", outside [0, " + SIZES[h] + ")");
      }
      out[at + OFFSETS[h] + choices[h]] = 1f;
    }
  }
}
