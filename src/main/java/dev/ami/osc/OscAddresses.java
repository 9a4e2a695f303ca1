package dev.ami.osc;

import java.util.List;

/** VRChat's OSC input addresses the agent uses: axes take floats, buttons take ints. */
public final class OscAddresses {
  public static final String VERTICAL = "/input/Vertical";
  public static final String HORIZONTAL = "/input/Horizontal";
  public static final String LOOK_HORIZONTAL = "/input/LookHorizontal";
  public static final String JUMP = "/input/Jump";
  public static final String RUN = "/input/Run";

  /** All five, axes first. */
  public static final List<String> ALL = List.of(VERTICAL, HORIZONTAL, LOOK_HORIZONTAL, JUMP, RUN);

  private OscAddresses() {
  }

  public static boolean isAxis(String address) {
    return VERTICAL.equals(address) || HORIZONTAL.equals(address) || LOOK_HORIZONTAL.equals(address);
  }
}
