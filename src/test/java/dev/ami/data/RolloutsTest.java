package dev.ami.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ami.bus.StepRecord;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RolloutsTest {
  @Test
  @DisplayName("a waiting step keeps what PPO reads, and not the forward model's hidden state")
  void noHiddenState() {
    Rollouts r = new Rollouts(10);
    StepRecord in = Steps.step(3);
    assertThat(in.hidden()).isNotNull();
    r.add(in);
    r.add(Steps.step(4));
    StepRecord kept = r.peek(1).get(0);
    assertThat(kept.hidden()).isNull();
    assertThat(kept).usingRecursiveComparison().ignoringFields("hidden").isEqualTo(in);
  }

  @Test
  @DisplayName("a rollout of n takes n + 1 steps; after the update the n used ones are gone, the rest stay")
  void peekAndConsume() {
    Rollouts r = new Rollouts(100);
    for (int t = 1; t <= 5; t++) {
      r.add(Steps.step(t));
    }
    assertThat(r.peek(5)).as("the bootstrap step is missing").isNull();
    r.add(Steps.step(6));
    r.add(Steps.step(7));
    List<StepRecord> rollout = r.peek(5);
    assertThat(rollout).extracting(StepRecord::tick).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    r.consumeThrough(rollout.get(4).tick());
    assertThat(r.size()).isEqualTo(2);
    assertThat(r.peek(1)).extracting(StepRecord::tick).containsExactly(6L, 7L);
  }

  @Test
  @DisplayName("steps that fell out while an update ran never make it take unused ones; a backlog keeps the newest")
  void consumeByTick() {
    Rollouts r = new Rollouts(8);
    for (int t = 1; t <= 6; t++) {
      r.add(Steps.step(t));
    }
    List<StepRecord> rollout = r.peek(4); // ticks 1..5 (4 + bootstrap)
    for (int t = 7; t <= 10; t++) {
      r.add(Steps.step(t)); // over the limit of 8: ticks 1 and 2 fall out during the "update"
    }
    r.consumeThrough(rollout.get(3).tick()); // the update used ticks 1..4
    assertThat(r.peek(1)).extracting(StepRecord::tick).as("tick 5 bootstraps and starts the next rollout")
        .containsExactly(5L, 6L);
    r.keepNewest(3);
    assertThat(r.peek(2)).extracting(StepRecord::tick).containsExactly(8L, 9L, 10L);
    assertThat(r.dropped()).isEqualTo(2 + 3);
  }

  @Test
  @DisplayName("memory is bounded: past the limit the oldest steps go and are counted")
  void bounded() {
    Rollouts r = new Rollouts(10);
    for (int t = 1; t <= 25; t++) {
      r.add(Steps.step(t));
    }
    assertThat(r.size()).isEqualTo(10);
    assertThat(r.dropped()).isEqualTo(15);
    assertThat(r.peek(9).get(0).tick()).isEqualTo(16);
  }

  @Test
  @DisplayName("a step without the acting policy's log-probabilities or a reward is refused")
  void refusesIncompleteSteps() {
    Rollouts r = new Rollouts(10);
    StepRecord random = new StepRecord(1, new byte[12], 2, new int[5], null, Float.NaN, 0.5f, null, false, false,
        Map.of(), 0);
    assertThatThrownBy(() -> r.add(random)).hasMessageContaining("log-probabilities");
    assertThat(r.size()).isZero();
  }

  @Test
  @DisplayName("a crafted buffer file cannot make the reader allocate what it names: counts and frame sizes are bounded")
  void boundedAllocations() throws Exception {
    Rollouts r = new Rollouts(10);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
      new Rollouts(10).writeTo(out);
    }
    byte[] empty = bytes.toByteArray(); // header, count 0, added, dropped
    int countAt = empty.length - 20;
    byte[] many = empty.clone();
    java.nio.ByteBuffer.wrap(many).putInt(countAt, Integer.MAX_VALUE);
    assertThatThrownBy(() -> r.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(many))))
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("at most 10");

    java.io.ByteArrayOutputStream crafted = new java.io.ByteArrayOutputStream();
    try (java.io.DataOutputStream out = new java.io.DataOutputStream(crafted)) {
      out.write(empty, 0, countAt);
      out.writeInt(1);
      out.writeLong(0);
      out.writeLong(0);
      out.writeLong(5); // tick
      out.writeInt(2); // side
      out.writeBoolean(false);
      out.writeBoolean(false);
      out.writeFloat(0);
      out.writeFloat(0);
      out.writeLong(0);
      out.writeInt(Integer.MAX_VALUE - 8); // a frame of 2 GiB
    }
    assertThatThrownBy(() -> r.readFrom(new java.io.DataInputStream(new java.io.ByteArrayInputStream(
        crafted.toByteArray())))).isInstanceOf(java.io.IOException.class).hasMessageContaining("at most");
  }
}
