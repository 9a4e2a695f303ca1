package dev.ami.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FrameBufferTest {
  private static byte[] frame(int value) {
    byte[] f = new byte[4];
    f[0] = (byte) value;
    f[1] = (byte) (value >> 8);
    return f;
  }

  private static int valueOf(float[] out, int at) {
    return Math.round(out[at] * 255) | Math.round(out[at + 1] * 255) << 8;
  }

  @Test
  @DisplayName("a full buffer keeps its capacity and replaces old frames at random, keeping a spread over time")
  void boundedRandomReplacement() {
    FrameBuffer b = new FrameBuffer(50, 4, 1);
    for (int i = 0; i < 1000; i++) {
      b.add(frame(i), false);
    }
    assertThat(b.size()).isEqualTo(50);
    assertThat(b.added()).isEqualTo(1000);
    int[] slots = new int[50];
    for (int i = 0; i < 50; i++) {
      slots[i] = i;
    }
    float[] out = new float[4 * 50];
    b.read(slots, out);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      seen.add(valueOf(out, 4 * i));
    }
    assertThat(seen.stream().anyMatch(x -> x < 900)).as("older frames survive").isTrue();
    assertThat(seen.stream().anyMatch(x -> x >= 950)).as("new frames get in").isTrue();
  }

  @Test
  @DisplayName("frames are stored as bytes and read back as the floats the agent saw (v = byte / 255)")
  void bytesRoundTrip() {
    float[] chw = new float[256];
    for (int i = 0; i < 256; i++) {
      chw[i] = i / 255f;
    }
    byte[] bytes = Pixels.toBytes(chw);
    float[] back = new float[256];
    Pixels.toFloats(bytes, back, 0);
    for (int i = 0; i < 256; i++) {
      assertThat(back[i]).isCloseTo(chw[i], org.assertj.core.api.Assertions.within(1e-6f));
      assertThat(bytes[i] & 0xFF).isEqualTo(i);
    }
    assertThat(Pixels.toBytes(new float[] {-0.5f, 1.7f, Float.NaN})).containsExactly(0, (byte) 255, 0);
  }

  @Test
  @DisplayName("stale frames are counted and kept out; a frame of the wrong size is refused and counted")
  void staleAndMisfitFrames() {
    FrameBuffer b = new FrameBuffer(8, 4, 1);
    b.add(frame(1), false);
    b.add(frame(1), true);
    assertThat(b.size()).isEqualTo(1);
    assertThat(b.stale()).isEqualTo(1);
    assertThatThrownBy(() -> b.add(new byte[5], false)).hasMessageContaining("5 bytes")
        .hasMessageContaining("sees 4");
    assertThat(b.refused()).isEqualTo(1);
    assertThat(b.size()).isEqualTo(1);
  }

  @Test
  @DisplayName("frames are copied in: the caller's array, written after adding, changes nothing kept")
  void keepsCopies() {
    FrameBuffer b = new FrameBuffer(2, 4, 1);
    byte[] f = frame(300);
    b.add(f, false);
    f[0] = 0;
    f[1] = 0;
    float[] out = new float[4];
    b.read(new int[] {0}, out);
    assertThat(valueOf(out, 0)).isEqualTo(300);
  }
}
