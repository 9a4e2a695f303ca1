package dev.ami.env;

/**
 * One choice in VRChat's discrete input space, 3x3x3x2x2 = 108 actions: three axes in {-1,0,1} and two
 * buttons in {0,1}.
 */
public record Action(int vertical, int horizontal, int lookHorizontal, int jump, int run) {
  public static final int COUNT = 3 * 3 * 3 * 2 * 2;
  public static final Action NEUTRAL = new Action(0, 0, 0, 0, 0);

  public Action {
    checkAxis("vertical", vertical);
    checkAxis("horizontal", horizontal);
    checkAxis("lookHorizontal", lookHorizontal);
    checkButton("jump", jump);
    checkButton("run", run);
  }

  /** Decodes an index in [0, 108). Index 13*4 = 52 … see {@link #index()} for the layout. */
  public static Action fromIndex(int index) {
    if (index < 0 || index >= COUNT) {
      throw new IllegalArgumentException("action index " + index + " outside [0, " + COUNT + ")");
    }
    int run = index % 2;
    int jump = (index / 2) % 2;
    int look = (index / 4) % 3 - 1;
    int horizontal = (index / 12) % 3 - 1;
    int vertical = (index / 36) % 3 - 1;
    return new Action(vertical, horizontal, look, jump, run);
  }

  /** Mixed-radix index: vertical, horizontal, look (radix 3), then jump, run (radix 2). */
  public int index() {
    return (((vertical + 1) * 3 + (horizontal + 1)) * 3 + (lookHorizontal + 1)) * 4 + jump * 2 + run;
  }

  /** The action from one choice per part, as the policy samples it: axes 0,1,2 mean -1,0,1; buttons 0,1. */
  public static Action fromParts(int[] parts) {
    return new Action(parts[0] - 1, parts[1] - 1, parts[2] - 1, parts[3], parts[4]);
  }

  /** One choice per part: the inverse of {@link #fromParts}. */
  public int[] parts() {
    return new int[] {vertical + 1, horizontal + 1, lookHorizontal + 1, jump, run};
  }

  public boolean isNeutral() {
    return equals(NEUTRAL);
  }

  private static void checkAxis(String name, int v) {
    if (v < -1 || v > 1) {
      throw new IllegalArgumentException(name + " must be -1, 0 or 1, was " + v);
    }
  }

  private static void checkButton(String name, int v) {
    if (v != 0 && v != 1) {
      throw new IllegalArgumentException(name + " must be 0 or 1, was " + v);
    }
  }
}
