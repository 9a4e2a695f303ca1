package dev.ami.osc;

import dev.ami.env.Action;

/**
 * The values of VRChat's five OSC inputs: three axes in [-1, 1] and two buttons in {0, 1}. Constructing one
 * validates the ranges, so nothing out of range can reach the wire.
 */
public record InputState(float vertical, float horizontal, float lookHorizontal, int jump, int run) {
  public static final InputState NEUTRAL = new InputState(0f, 0f, 0f, 0, 0);

  public InputState {
    checkAxis(OscAddresses.VERTICAL, vertical);
    checkAxis(OscAddresses.HORIZONTAL, horizontal);
    checkAxis(OscAddresses.LOOK_HORIZONTAL, lookHorizontal);
    checkButton(OscAddresses.JUMP, jump);
    checkButton(OscAddresses.RUN, run);
  }

  public static InputState of(Action a) {
    return new InputState(a.vertical(), a.horizontal(), a.lookHorizontal(), a.jump(), a.run());
  }

  public boolean isNeutral() {
    return equals(NEUTRAL);
  }

  /** The value this state holds for an input address (Float for axes, Integer for buttons). */
  public Object valueOf(String address) {
    return switch (address) {
      case OscAddresses.VERTICAL -> vertical;
      case OscAddresses.HORIZONTAL -> horizontal;
      case OscAddresses.LOOK_HORIZONTAL -> lookHorizontal;
      case OscAddresses.JUMP -> jump;
      case OscAddresses.RUN -> run;
      default -> throw new IllegalArgumentException("not a VRChat input: " + address);
    };
  }

  /** A copy with one input set from an OSC argument (as received by the built-in world). */
  public InputState with(String address, Number value) {
    float f = clampAxis(value.floatValue());
    int b = value.floatValue() >= 0.5f ? 1 : 0;
    return switch (address) {
      case OscAddresses.VERTICAL -> new InputState(f, horizontal, lookHorizontal, jump, run);
      case OscAddresses.HORIZONTAL -> new InputState(vertical, f, lookHorizontal, jump, run);
      case OscAddresses.LOOK_HORIZONTAL -> new InputState(vertical, horizontal, f, jump, run);
      case OscAddresses.JUMP -> new InputState(vertical, horizontal, lookHorizontal, b, run);
      case OscAddresses.RUN -> new InputState(vertical, horizontal, lookHorizontal, jump, b);
      default -> this;
    };
  }

  private static float clampAxis(float v) {
    return Float.isFinite(v) ? Math.max(-1f, Math.min(1f, v)) : 0f;
  }

  private static void checkAxis(String address, float v) {
    if (!(v >= -1f && v <= 1f)) {
      throw new IllegalArgumentException(address + " must be in [-1, 1], was " + v);
    }
  }

  private static void checkButton(String address, int v) {
    if (v != 0 && v != 1) {
      throw new IllegalArgumentException(address + " must be 0 or 1, was " + v);
    }
  }
}
