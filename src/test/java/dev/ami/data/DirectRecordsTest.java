package dev.ami.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.StepRecord;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The buffers' slots off the Java heap: what goes in comes back, chunk boundaries included; memory is made as
 * slots are first used; and filling the buffers makes no heap garbage (the reason they are off the heap).
 */
class DirectRecordsTest {
  /** Heap bytes this thread allocated so far (HotSpot counts them per thread). */
  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }

  @Test
  @DisplayName("bytes and floats round-trip through every slot, across chunks; memory is made a chunk at a time")
  void roundTrip() {
    int record = 3 * 1000 * 1000 + 4; // about 3 MB: one record per 4 MB chunk
    DirectRecords s = new DirectRecords(3, record);
    assertThat(s.bytesMade()).as("nothing before the first slot is used").isZero();
    byte[] in = new byte[record - 4];
    for (int i = 0; i < in.length; i++) {
      in[i] = (byte) (i * 31 + 7);
    }
    s.put(2, 4, in, 0, in.length);
    s.putFloats(2, 0, new float[] {-1.5f});
    assertThat(s.bytesMade()).isEqualTo(record);
    s.put(0, 4, in, 0, 10);
    assertThat(s.bytesMade()).isEqualTo(2L * record);
    byte[] out = new byte[in.length];
    s.get(2, 4, out, 0, out.length);
    assertThat(out).isEqualTo(in);
    float[] f = new float[1];
    s.getFloats(2, 0, f);
    assertThat(f[0]).isEqualTo(-1.5f);
    assertThatThrownBy(() -> s.put(3, 0, in, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);

    DirectRecords small = new DirectRecords(1000, 12); // many records to a chunk
    for (int i = 0; i < 1000; i++) {
      small.putFloats(i, 0, new float[] {i, -i, i * 0.5f});
    }
    float[] three = new float[3];
    small.getFloats(999, 0, three);
    assertThat(three).containsExactly(999f, -999f, 499.5f);
    small.getFloats(0, 0, three);
    assertThat(three).containsExactly(0f, 0f, 0f);
    assertThat(small.bytesMade()).isEqualTo(12_000);
  }

  @Test
  @DisplayName("filling the buffers puts nothing on the Java heap: each frame goes to direct memory")
  void fillingMakesNoHeapGarbage() {
    int frameBytes = 3 * 84 * 84;
    byte[] frame = new byte[frameBytes];
    FrameBuffer frames = new FrameBuffer(512, frameBytes, 1);
    StepBuffer steps = new StepBuffer(512, frameBytes, 2048);
    Rollouts rollouts = new Rollouts(512);
    StepRecord step = new StepRecord(1, frame, 84, new int[] {1, 1, 1, 0, 0}, new float[] {-1, -1, -1, -1, -1}, 0.5f,
        0.1f, new float[2048], false, false, Map.of(), 0);
    frames.add(frame, false); // classes loaded, first chunks made
    steps.add(step);
    rollouts.add(step);
    long before = allocated();
    for (int i = 0; i < 500; i++) {
      frames.add(frame, false);
      steps.add(step);
      rollouts.add(step);
    }
    long heap = allocated() - before;
    // on the heap the 500 steps' slots were 500 x (3 x 21 kB + 8 kB): 35 MB; off it, only chunk handles remain
    assertThat(heap).as("heap bytes allocated while filling three buffers with 500 steps").isLessThan(1 << 20);
  }

  @Test
  @DisplayName("a rollout step is a copy: the caller's arrays can be reused at once")
  void rolloutsCopy() {
    Rollouts r = new Rollouts(4);
    byte[] frame = {1, 2, 3};
    int[] action = {1, 1, 1, 0, 0};
    float[] logp = {-1, -1, -1, -0.5f, -0.5f};
    r.add(new StepRecord(1, frame, 1, action, logp, 0.5f, 0.25f, null, false, false, Map.of(), 0));
    frame[0] = 9;
    action[0] = 2;
    logp[0] = 0;
    r.add(new StepRecord(2, frame, 1, action, logp, 0.5f, 0.25f, null, false, false, Map.of(), 0));
    StepRecord first = r.peek(1).get(0);
    assertThat(first.frame()).containsExactly(1, 2, 3);
    assertThat(first.action()).containsExactly(1, 1, 1, 0, 0);
    assertThat(first.logp()).containsExactly(-1, -1, -1, -0.5f, -0.5f);
    Rollouts.Rollout copy = new Rollouts.Rollout(2, 3);
    assertThat(r.copyOldest(copy)).isTrue();
    float[] pixels = new float[3];
    copy.frame(1, pixels, 0);
    assertThat(pixels[0]).isEqualTo(9 / 255f);
    assertThat(copy.tick(0)).isEqualTo(1);
    assertThat(r.copyOldest(new Rollouts.Rollout(3, 3))).as("only two steps wait").isFalse();
    assertThatThrownBy(() -> r.add(new StepRecord(3, new byte[4], 1, action, logp, 0.5f, 0.25f, null, false, false,
        Map.of(), 0))).hasMessageContaining("the steps before it had 3");
  }
}
