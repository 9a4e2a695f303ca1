package dev.ami.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.StepRecord;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StepBufferTest {
  private static final int FRAME = 12; // Steps' frames: 3 × 2 × 2
  private static final int HIDDEN = 2;

  private static StepBuffer.Window window(int length) {
    return new StepBuffer.Window(length, FRAME, HIDDEN);
  }

  /** The tick the step's frame carries in its first byte (Steps writes it there). */
  private static int frameTick(StepBuffer.Window w, int i) {
    float[] out = new float[FRAME];
    w.frame(i, out, 0);
    return Math.round(out[0] * 255);
  }

  @Test
  @DisplayName("the causal buffer keeps the newest steps in order and draws contiguous windows")
  void fifoAndContiguous() {
    StepBuffer b = new StepBuffer(100, FRAME, HIDDEN);
    for (int t = 1; t <= 250; t++) {
      b.add(Steps.step(t));
    }
    assertThat(b.size()).isEqualTo(100);
    SplittableRandom random = new SplittableRandom(1);
    StepBuffer.Window w = window(9);
    for (int i = 0; i < 200; i++) {
      assertThat(b.window(random, 10, w)).isTrue();
      long first = w.tick(0);
      assertThat(first).isBetween(151L, 242L); // only the newest 100 remain
      for (int k = 0; k < 9; k++) {
        assertThat(w.tick(k)).isEqualTo(first + k);
        assertThat(frameTick(w, k)).as("step %d's own frame", k).isEqualTo((int) ((first + k) & 0xFF));
      }
      assertThat(w.hidden()).as("the hidden state going into the first step").containsExactly(first, -first);
    }
  }

  @Test
  @DisplayName("steps are copied in: a record written after it was added, or reused, changes nothing kept")
  void keepsCopies() {
    StepBuffer b = new StepBuffer(4, FRAME, HIDDEN);
    StepRecord s = Steps.step(7);
    b.add(s);
    b.add(Steps.step(8));
    s.frame()[0] = 99;
    s.action()[0] = 2;
    s.hidden()[0] = 42;
    StepBuffer.Window w = window(2);
    assertThat(b.window(new SplittableRandom(1), 4, w)).isTrue();
    assertThat(frameTick(w, 0)).isEqualTo(7);
    assertThat(w.action(0)).containsExactly(1, 1, 1, 0, 0);
    assertThat(w.hidden()).containsExactly(7, -7);
  }

  @Test
  @DisplayName("no window reaches across a chain start, a missing tick, or has a stale frame as a target")
  void breaksAreRespected() {
    StepBuffer b = new StepBuffer(64, FRAME, HIDDEN);
    boolean[] breakAt = new boolean[41];
    for (int t = 1; t <= 40; t++) {
      boolean stale = t == 12;
      boolean start = t == 25;
      breakAt[t] = stale || start || t == 33 || t == 34;
      if (t != 33) { // tick 33 was blind: no step
        b.add(Steps.step(t, stale, start));
      }
    }
    SplittableRandom random = new SplittableRandom(3);
    StepBuffer.Window w = window(5);
    int drawn = 0;
    for (int i = 0; i < 500; i++) {
      if (!b.window(random, 4, w)) {
        continue;
      }
      drawn++;
      for (int k = 1; k < w.length(); k++) {
        assertThat(w.tick(k)).isEqualTo(w.tick(0) + k);
        assertThat(breakAt[(int) w.tick(k)]).as("tick %d inside a window", w.tick(k)).isFalse();
      }
    }
    assertThat(drawn).isPositive();
    assertThat(b.rejectedWindows()).as("windows over the breaks were drawn and thrown back").isPositive();
  }

  @Test
  @DisplayName("with fewer steps than a window, or breaks everywhere, there is no window")
  void noWindow() {
    StepBuffer b = new StepBuffer(12, FRAME, HIDDEN);
    for (int t = 1; t <= 4; t++) {
      b.add(Steps.step(t));
    }
    assertThat(b.window(new SplittableRandom(1), 8, window(9))).isFalse();
    for (int t = 5; t <= 16; t++) { // pushes the first four out: every step left starts a chain
      b.add(Steps.step(t, false, true));
    }
    assertThat(b.window(new SplittableRandom(1), 8, window(3))).isFalse();
  }

  @Test
  @DisplayName("a step or a window of another size is refused and the buffer is unchanged")
  void misfitsRefused() {
    StepBuffer b = new StepBuffer(8, FRAME, HIDDEN);
    StepRecord bigFrame = new StepRecord(1, new byte[FRAME + 1], 2, new int[] {1, 1, 1, 0, 0}, null, 0, 0,
        new float[HIDDEN], false, false, Map.of(), 0);
    StepRecord noHidden = new StepRecord(2, new byte[FRAME], 2, new int[] {1, 1, 1, 0, 0}, null, 0, 0,
        null, false, false, Map.of(), 0);
    assertThatThrownBy(() -> b.add(bigFrame)).hasMessageContaining("12-byte frames");
    assertThatThrownBy(() -> b.add(noHidden)).hasMessageContaining("2-float hidden");
    assertThat(b.size()).isZero();
    b.add(Steps.step(3));
    assertThatThrownBy(() -> b.window(new SplittableRandom(1), 1, new StepBuffer.Window(1, FRAME, 3)))
        .hasMessageContaining("does not fit");
  }
}
