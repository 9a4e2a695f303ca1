package dev.ami.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.StepRecord;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BuffersTest {
  /** The curiosity agent's three buffers at a 36-pixel side, with hidden states of 4 floats. */
  private static Buffers buffers() {
    return Buffers.withSteps("test", FRAME.length, HIDDEN.length, 16, 16, 16, 7);
  }

  private static StepRecord step(long tick, byte[] frame, int[] action, float[] logp, float reward, float[] hidden) {
    return new StepRecord(tick, frame, 36, action, logp, 0.5f, reward, hidden, false, false, Map.of(), 0);
  }

  private static final byte[] FRAME = new byte[3 * 36 * 36];
  private static final int[] ACTION = {2, 1, 0, 1, 0};
  private static final float[] LOGP = {-1, -1, -1, -0.7f, -0.7f};
  private static final float[] HIDDEN = {1, 2, 3, 4};

  @Test
  @DisplayName("a fitting step reaches all three buffers; one without a reward feeds the VAE and FD, not PPO")
  void routes() {
    Buffers b = buffers();
    b.accept(step(1, FRAME, ACTION, LOGP, 0.3f, HIDDEN));
    b.accept(step(2, FRAME, ACTION, LOGP, Float.NaN, HIDDEN));
    assertThat(b.frames().size()).isEqualTo(2);
    assertThat(b.steps().size()).isEqualTo(2);
    assertThat(b.rollouts().size()).isEqualTo(1);
    assertThat(b.notForPpo()).isEqualTo(1);
    assertThat(b.refused()).isZero();
  }

  @Test
  @DisplayName("a step on a stale frame feeds the VAE and FD buffers (FD skips it as a target), never PPO")
  void staleStepsStayOutOfPpo() {
    Buffers b = buffers();
    StepRecord fresh = step(1, FRAME, ACTION, LOGP, 0.3f, HIDDEN);
    b.accept(fresh);
    b.accept(new StepRecord(2, FRAME, fresh.side(), ACTION, LOGP, 0.5f, 0.3f, HIDDEN, true, false, Map.of(), 0));
    assertThat(b.steps().size()).isEqualTo(2);
    assertThat(b.rollouts().size()).isEqualTo(1);
    assertThat(b.notForPpo()).isEqualTo(1);
  }

  @Test
  @DisplayName("a misfit step is refused whole, with the reason: frame size, hidden state, action parts, log-probs")
  void refusesWhole() {
    Buffers b = buffers();
    b.accept(step(1, new byte[10], ACTION, LOGP, 0.3f, HIDDEN));
    assertThat(b.lastRefusal()).contains("10 bytes");
    b.accept(step(2, FRAME, ACTION, LOGP, 0.3f, new float[3]));
    assertThat(b.lastRefusal()).contains("hidden state of 3 floats").contains("carries 4");
    b.accept(step(3, FRAME, new int[] {3, 0, 0, 0, 0}, LOGP, 0.3f, HIDDEN));
    assertThat(b.lastRefusal()).contains("action part 0 = 3");
    b.accept(step(4, FRAME, ACTION, new float[2], 0.3f, HIDDEN));
    assertThat(b.lastRefusal()).contains("2 log-probabilities");
    assertThat(b.refused()).isEqualTo(4);
    assertThat(b.frames().size()).as("nothing half-filed").isZero();
    assertThat(b.steps().size()).isZero();
    assertThat(b.rollouts().size()).isZero();
  }
}
