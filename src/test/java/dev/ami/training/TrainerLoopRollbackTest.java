package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.TrainRecord;
import dev.ami.config.TrainerOptions;
import dev.ami.data.FrameBuffer;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The trainer's finiteness guard, driven through {@link TrainerLoop} with poisoned batches. */
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
    FrameBuffer frames = new FrameBuffer(4, spec.frameSize(), 1);
    SplittableRandom random = new SplittableRandom(2);
    for (int i = 0; i < 4; i++) {
      byte[] f = new byte[spec.frameSize()];
      for (int j = 0; j < f.length; j++) {
        f[j] = (byte) random.nextInt(256);
      }
      frames.add(f, false);
    }
    AtomicBoolean poisoned = new AtomicBoolean();
    AtomicReference<AeTrainer> trainer = new AtomicReference<>();
    List<Event> events = new CopyOnWriteArrayList<>();
    List<TrainRecord> records = new CopyOnWriteArrayList<>();
    TrainerLoop loop = new TrainerLoop(
        () -> {
          // one run of a million steps, so it publishes once, at start: every later change is unpublished and
          // must be undone by a rollback
          trainer.set(new AeTrainer(spec, new TrainerOptions(4, 1e-2, 0, 1, 4, 4, 0, 1_000_000), frames, 5));
          return List.of(new Poisoning(trainer.get(), poisoned));
        },
        key -> new ParamPublisher(key, map, 0),
        new TrainerLoop.Settings(50_000_000L, MAX_BAD),
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
      ModelStatus trained = loop.command("pause", 0).get(30, TimeUnit.SECONDS).models().get(0);
      ParamSnapshot snapshot = map.get("ae");
      assertThat(snapshot.version()).isEqualTo(1);
      List<float[]> published = snapshotValues(snapshot);
      assertThat(equal(liveValues(trainer.get()), published)).as("training moved the parameters").isFalse();

      poisoned.set(true); // every batch now has a NaN pixel, so every loss is NaN
      loop.command("resume", 0).get(30, TimeUnit.SECONDS);
      await(() -> loop.status().models().get(0).rollbacks() >= 1);
      ModelStatus after = loop.command("pause", 0).get(30, TimeUnit.SECONDS).models().get(0);

      assertThat(after.steps()).as("no update counted as a step").isEqualTo(trained.steps());
      assertThat(after.skippedSteps()).isGreaterThanOrEqualTo(MAX_BAD);
      assertThat(after.lastLoss()).isNaN();
      assertThat(records).filteredOn(r -> !Double.isFinite(r.loss())).hasSizeGreaterThanOrEqualTo(MAX_BAD);
      assertThat(events).filteredOn(e -> e.kind().equals("trainer-rollback"))
          .isNotEmpty()
          .allSatisfy(e -> {
            assertThat(e.level()).isEqualTo("warn");
            assertThat(e.message()).contains(MAX_BAD + " non-finite losses in a row", "version 1");
          });
      assertThat(equal(liveValues(trainer.get()), published)).as("parameters equal the last snapshot").isTrue();
      assertThat(trainer.get().optimizerSteps()).as("Adam restarted").isZero();

      poisoned.set(false); // healed data: training goes on from the snapshot
      loop.command("resume", 0).get(30, TimeUnit.SECONDS);
      await(() -> loop.status().steps() >= trained.steps() + 3);
      assertThat(loop.status().models().get(0).lastLoss()).isFinite();
    } finally {
      loop.command("stop", 0).get(60, TimeUnit.SECONDS);
      loop.finished().get(60, TimeUnit.SECONDS);
    }
  }

  /** The real trainer, except that while {@code poisoned} each batch it loads gets a NaN pixel. */
  private static final class Poisoning extends DelegatingTrainer {
    private final AeTrainer trainer;
    private final AtomicBoolean poisoned;

    Poisoning(AeTrainer trainer, AtomicBoolean poisoned) {
      super(trainer);
      this.trainer = trainer;
      this.poisoned = poisoned;
    }

    @Override
    public boolean nextBatch() {
      boolean loaded = trainer.nextBatch();
      if (poisoned.get()) {
        trainer.batchBuffer()[trainer.batchBuffer().length / 2] = Float.NaN;
      }
      return loaded;
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

  private static void await(BooleanSupplier condition) throws Exception {
    Await.until(Await.MINUTE, condition::getAsBoolean, "the trainer loop's condition");
  }
}
