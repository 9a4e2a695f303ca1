package dev.ami.data;

import dev.ami.bus.StepRecord;
import java.util.Map;

/** Step records for buffer tests: the tick is written into the frame's first byte so samples can be traced. */
final class Steps {
  private Steps() {
  }

  static StepRecord step(long tick, boolean stale, boolean chainStart) {
    byte[] frame = new byte[3 * 2 * 2];
    frame[0] = (byte) tick;
    return new StepRecord(tick, frame, 2, new int[] {1, 1, 1, 0, 0}, new float[] {-1, -1, -1, -0.7f, -0.7f}, 0.5f,
        0.1f * tick, new float[] {tick, -tick}, stale, chainStart, Map.of(), 0);
  }

  static StepRecord step(long tick) {
    return step(tick, false, false);
  }
}
