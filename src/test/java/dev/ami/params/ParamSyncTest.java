package dev.ami.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Pair;
import dev.ami.model.AutoEncoders;
import dev.ami.model.ModelSpec;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Publisher → local map → follower, with real DJL blocks on both sides. */
class ParamSyncTest {
  private final ModelSpec spec = new ModelSpec(16, 4, 8);
  private Vertx vertx;
  private NDManager manager;
  private LocalMap<String, ParamSnapshot> map;
  private final List<ParamPublisher> publishers = new ArrayList<>();

  private ParamPublisher publisher(String key, long startVersion) {
    ParamPublisher p = new ParamPublisher(key, map, startVersion);
    publishers.add(p);
    return p;
  }

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    map = vertx.sharedData().getLocalMap("test-params");
    manager = NDManager.newBaseManager();
  }

  @AfterEach
  void tearDown() {
    publishers.forEach(ParamPublisher::close); // the snapshots released below free their memory, no spare kept
    map.values().forEach(ParamSnapshot::release);
    map.clear();
    manager.close();
    vertx.close();
  }

  private Block encoder(NDManager m) {
    Block b = AutoEncoders.encoder(spec);
    b.initialize(m, DataType.FLOAT32, spec.frameShape(1));
    return b;
  }

  @Test
  @DisplayName("after a swap the agent runs the published values; before it, the old ones stay untouched")
  void swapCopiesValues() {
    Block trainerSide = encoder(manager);
    Block[] agentSide = {encoder(manager), encoder(manager)};
    ParamPublisher publisher = publisher("k", 0);
    ParamFollower follower = new ParamFollower("k", "encoder", map, agentSide[0], agentSide[1]);
    List<Float> initiallyActive = values(agentSide[follower.activeIndex()]);

    ParamSnapshot s = publisher.publish(Map.of("encoder", trainerSide), 5);
    assertThat(s.version()).isEqualTo(1);
    assertThat(follower.prepare()).isTrue();
    assertThat(follower.prepare()).as("nothing newer to prepare").isFalse();
    assertThat(values(agentSide[follower.activeIndex()])).as("no swap yet").isEqualTo(initiallyActive);
    ParamFollower.Swap swap = follower.swapIfReady();
    assertThat(swap.version()).isEqualTo(1);
    assertThat(swap.publishedNanos()).isEqualTo(s.createdNanos());
    assertThat(follower.swapIfReady()).as("one swap per prepare").isNull();
    assertThat(follower.inUseVersion()).isEqualTo(1);
    assertThat(values(agentSide[follower.activeIndex()])).isEqualTo(values(trainerSide));

    // the trainer keeps changing its live parameters: the agent must not see that until the next publish
    List<Float> published = values(trainerSide);
    for (Pair<String, Parameter> p : trainerSide.getParameters()) {
      p.getValue().getArray().addi(1f);
    }
    assertThat(values(agentSide[follower.activeIndex()])).isEqualTo(published);
    publisher.publish(Map.of("encoder", trainerSide), 6);
    assertThat(follower.prepare()).isTrue();
    assertThat(values(agentSide[follower.activeIndex()])).as("the active block is never written").isEqualTo(published);
    follower.swapIfReady();
    assertThat(follower.inUseVersion()).isEqualTo(2);
    assertThat(values(agentSide[follower.activeIndex()])).isEqualTo(values(trainerSide));
  }

  @Test
  @DisplayName("a superseded snapshot is freed once its last reader lets go")
  void refcountFreesSnapshots() {
    Block trainerSide = encoder(manager);
    ParamPublisher publisher = publisher("k", 0);
    ParamSnapshot first = publisher.publish(Map.of("encoder", trainerSide), 1);
    assertThat(first.tryAcquire()).isTrue(); // a reader holds it
    publisher.publish(Map.of("encoder", trainerSide), 2);
    assertThat(first.isFreed()).as("reader still holds it").isFalse();
    first.release();
    assertThat(first.isFreed()).isTrue();
    assertThat(first.tryAcquire()).as("a freed snapshot cannot be acquired").isFalse();
    assertThatThrownBy(first::release).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("a publish rewrites the memory of the model's freed snapshot, never one a reader still holds")
  void publishReusesFreedMemory() {
    Block trainerSide = encoder(manager);
    ParamPublisher publisher = publisher("k", 0);
    ParamSnapshot first = publisher.publish(Map.of("encoder", trainerSide), 1);
    NDArray firstMemory = first.group("encoder").get(0);
    ParamSnapshot second = publisher.publish(Map.of("encoder", trainerSide), 2);
    assertThat(first.isFreed()).isTrue();
    assertThat(second.group("encoder").get(0)).as("first was still the newest: new memory").isNotSameAs(firstMemory);
    List<Float> atSecond = values(trainerSide);
    assertThat(second.tryAcquire()).isTrue(); // a reader holds the second
    for (Pair<String, Parameter> p : trainerSide.getParameters()) {
      p.getValue().getArray().addi(1f);
    }
    JniUtils.setGradMode(true); // as if a gradient collector were open: the copy must not join a graph
    try {
      ParamSnapshot third = publisher.publish(Map.of("encoder", trainerSide), 3);
      assertThat(JniUtils.isGradMode()).as("grad mode as it was").isTrue();
      assertThat(third.group("encoder").get(0)).as("the first's very array, rewritten").isSameAs(firstMemory);
      assertThat(JniUtils.requiresGrad((PtNDArray) trainerSide.getParameters().get(0).getValue().getArray()))
          .as("the live parameter is a leaf that trains").isTrue();
      assertThat(JniUtils.requiresGrad((PtNDArray) third.group("encoder").get(0))).as("the copy is not").isFalse();
    } finally {
      JniUtils.setGradMode(false);
    }
    assertThat(values(map.get("k"))).isEqualTo(values(trainerSide));
    for (Pair<String, Parameter> p : trainerSide.getParameters()) {
      p.getValue().getArray().addi(1f);
    }
    ParamSnapshot fourth = publisher.publish(Map.of("encoder", trainerSide), 4);
    assertThat(fourth.group("encoder")).as("the second is held: nothing of it is reused")
        .noneMatch(a -> second.group("encoder").stream().anyMatch(b -> b == a));
    assertThat(values(second)).as("a held snapshot is never written").isEqualTo(atSecond);
    assertThat(values(fourth)).isEqualTo(values(trainerSide));
    second.release();

    publisher.close();
    publisher.publish(Map.of("encoder", trainerSide), 5); // frees the fourth: a closed publisher keeps nothing
    assertThat(publisher.publish(Map.of("encoder", trainerSide), 6).group("encoder").get(0))
        .isNotSameAs(firstMemory).isNotSameAs(fourth.group("encoder").get(0));
    assertThat(fourth.group("encoder").get(0).isReleased()).isTrue();
  }

  /** All arrays of a snapshot's encoder group, concatenated. */
  private static List<Float> values(ParamSnapshot s) {
    List<Float> out = new ArrayList<>();
    for (NDArray a : s.group("encoder")) {
      for (float v : a.toFloatArray()) {
        out.add(v);
      }
    }
    return out;
  }

  @Test
  @DisplayName("a snapshot of a different shape is rejected, said once per shape, and the agent keeps its parameters")
  void shapeMismatchRejected() {
    Block other = AutoEncoders.encoder(new ModelSpec(16, 8, 8));
    other.initialize(manager, DataType.FLOAT32, spec.frameShape(1));
    Block agentSide = encoder(manager);
    List<Float> before = values(agentSide);
    publisher("k", 0).publish(Map.of("encoder", other), 1);
    ParamFollower follower = new ParamFollower("k", "encoder", map, agentSide, encoder(manager));
    assertThatThrownBy(follower::prepare).isInstanceOf(IllegalStateException.class).hasMessageContaining("shape");
    publisher("k", 1).publish(Map.of("encoder", other), 2); // the trainer publishes on in the same misfit shape
    assertThat(follower.prepare()).as("the same misfit again: refused without a second report").isFalse();
    assertThat(follower.swapIfReady()).isNull();
    assertThat(follower.activeIndex()).isZero();
    assertThat(values(agentSide)).isEqualTo(before);
  }

  @Test
  @DisplayName("versions continue from the map after a trainer redeploy")
  void versionsContinue() {
    Block trainerSide = encoder(manager);
    publisher("k", 0).publish(Map.of("encoder", trainerSide), 1);
    ParamPublisher second = publisher("k", map.get("k").version());
    assertThat(second.publish(Map.of("encoder", trainerSide), 1).version()).isEqualTo(2);
  }

  @Test
  @DisplayName("once the agent closed its follower, a late publish writes nothing, even after the blocks are freed")
  void closedFollowerWritesNothing() {
    Block trainerSide = encoder(manager);
    ParamPublisher publisher = publisher("k", 0);
    NDManager agentManager = NDManager.newBaseManager();
    ParamFollower follower = new ParamFollower("k", "encoder", map, encoder(agentManager), encoder(agentManager));
    follower.close(); // what the agent does before it frees its models
    agentManager.close(); // the agent's tensors are gone
    publisher.publish(Map.of("encoder", trainerSide), 1); // the trainer, undeployed after the agent, still publishes
    assertThat(follower.prepare()).as("no copy into freed tensors").isFalse();
    assertThat(follower.swapIfReady()).isNull();
    follower.close(); // idempotent
  }

  @Test
  @DisplayName("a rollback copies in place and refuses a snapshot of another shape, naming the parameter")
  void restoreChecksShapes() {
    Block live = encoder(manager);
    Block other = AutoEncoders.encoder(new ModelSpec(16, 8, 8));
    other.initialize(manager, DataType.FLOAT32, spec.frameShape(1));
    ParamSnapshot wrong = publisher("k", 0).publish(Map.of("encoder", other), 1);
    NDArray first = live.getParameters().get(0).getValue().getArray();
    assertThatThrownBy(() -> SnapshotCopy.copyGroup(wrong, "encoder", live))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("has shape (16, 8, 4, 4), the model expects");
    Block source = encoder(manager);
    ParamSnapshot right = publisher("j", 0).publish(Map.of("encoder", source), 1);
    assertThat(SnapshotCopy.copyGroup(right, "encoder", live)).isTrue();
    assertThat(values(live)).isEqualTo(values(source));
    assertThat(live.getParameters().get(0).getValue().getArray()).as("the same tensor, written in place")
        .isSameAs(first);
  }

  /** All parameters of a block, concatenated. */
  private static List<Float> values(Block b) {
    List<Float> out = new ArrayList<>();
    for (Pair<String, Parameter> p : b.getParameters()) {
      NDArray a = p.getValue().getArray();
      for (float v : a.toFloatArray()) {
        out.add(v);
      }
    }
    return out;
  }
}
