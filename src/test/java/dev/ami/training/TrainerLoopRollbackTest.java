package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.Transition;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The trainer's finiteness guard, driven through {@link TrainerLoop} with poisoned replay data. */
class TrainerLoopRollbackTest {
  private static final int MAX_BAD = 3;
  private final ModelSpec spec = new ModelSpec(16, 4, 8);
  private Vertx vertx;
  private LocalMap<String, ParamSnapshot> map;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    map = vertx.sharedData().getLocalMap("rollback-test");
  }

  @AfterEach
  void tearDown() {
    map.values().forEach(ParamSnapshot::release);
    map.clear();
    vertx.close();
  }

  @Test
  @DisplayName("non-finite losses skip the update and are counted; K in a row roll back to the last snapshot")
  void poisonedBatchesRollBack() throws Exception {
    List<float[]> frames = new ArrayList<>();
    ReplayBuffer replay = new ReplayBuffer(4, 1);
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < 4; i++) {
      float[] f = new float[spec.frameSize()];
      for (int j = 0; j < f.length; j++) {
        f[j] = (float) random.nextDouble();
      }
      frames.add(f);
      replay.add(new Transition(i, f, 0, 0, 0, 0, 0));
    }
    AtomicReference<AeTrainer> trainer = new AtomicReference<>();
    List<Event> events = new CopyOnWriteArrayList<>();
    List<TrainRecord> records = new CopyOnWriteArrayList<>();
    TrainerLoop loop = new TrainerLoop(
        () -> {
          trainer.set(new AeTrainer(spec, 4, 1e-2, 5));
          return trainer.get();
        },
        replay,
        () -> new ParamPublisher("ae", map, 0),
        // publishes once, at start: every later change is unpublished and must be undone by a rollback
        new TrainerLoop.Settings(4, 0, 1_000_000, MAX_BAD),
        new TrainerLoop.Sink() {
          @Override
          public void published(ParamsPublished p) {
          }

          @Override
          public void step(TrainRecord r) {
            records.add(r);
          }

          @Override
          public void event(Event e) {
            events.add(e);
          }
        });
    Thread thread = new Thread(loop, "test-trainer");
    thread.start();
    try {
      loop.ready().get(60, TimeUnit.SECONDS);
      await(() -> loop.status().steps() >= 5);
      TrainerStatus trained = loop.command("pause").get(30, TimeUnit.SECONDS);
      ParamSnapshot snapshot = map.get("ae");
      assertThat(snapshot.version()).isEqualTo(1);
      List<float[]> published = snapshotValues(snapshot);
      assertThat(equal(liveValues(trainer.get()), published)).as("training moved the parameters").isFalse();

      for (float[] f : frames) {
        f[f.length / 2] = Float.NaN; // every batch now has a NaN pixel, so every loss is NaN
      }
      loop.command("resume").get(30, TimeUnit.SECONDS);
      await(() -> loop.status().rollbacks() >= 1);
      TrainerStatus poisoned = loop.command("pause").get(30, TimeUnit.SECONDS);

      assertThat(poisoned.steps()).as("no update counted as a step").isEqualTo(trained.steps());
      assertThat(poisoned.skippedSteps()).isGreaterThanOrEqualTo(MAX_BAD);
      assertThat(poisoned.lastLoss()).isNaN();
      assertThat(records).filteredOn(r -> !Double.isFinite(r.loss())).hasSizeGreaterThanOrEqualTo(MAX_BAD);
      assertThat(events).filteredOn(e -> e.kind().equals("trainer-rollback"))
          .isNotEmpty()
          .allSatisfy(e -> {
            assertThat(e.level()).isEqualTo("warn");
            assertThat(e.message()).contains(MAX_BAD + " non-finite losses in a row", "version 1");
          });
      assertThat(equal(liveValues(trainer.get()), published)).as("parameters equal the last snapshot").isTrue();
      assertThat(trainer.get().optimizerSteps()).as("Adam restarted").isZero();

      for (float[] f : frames) {
        f[f.length / 2] = 0.5f; // healed data: training goes on from the snapshot
      }
      loop.command("resume").get(30, TimeUnit.SECONDS);
      await(() -> loop.status().steps() >= trained.steps() + 3);
      assertThat(loop.status().lastLoss()).isFinite();
    } finally {
      loop.command("stop").get(60, TimeUnit.SECONDS);
      loop.finished().get(60, TimeUnit.SECONDS);
    }
  }

  private static List<float[]> snapshotValues(ParamSnapshot s) {
    assertThat(s.tryAcquire()).isTrue();
    try {
      List<float[]> out = new ArrayList<>();
      for (String group : List.of("encoder", "decoder")) {
        s.group(group).forEach(a -> out.add(a.toFloatArray()));
      }
      return out;
    } finally {
      s.release();
    }
  }

  /** Read while the loop is paused, so the trainer thread is not writing them. */
  private static List<float[]> liveValues(AeTrainer trainer) {
    List<float[]> out = new ArrayList<>();
    for (Block b : trainer.groups().values()) {
      for (Pair<String, Parameter> p : b.getParameters()) {
        NDArray a = p.getValue().getArray();
        out.add(a.toFloatArray());
      }
    }
    return out;
  }

  private static boolean equal(List<float[]> a, List<float[]> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not reached within 60 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
