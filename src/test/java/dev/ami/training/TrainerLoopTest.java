package dev.ami.training;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.RunState;
import dev.ami.bus.TrainRecord;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The round-robin training loop, with real autoencoder trainers under test wrappers. */
class TrainerLoopTest {
  private final ModelSpec spec = new ModelSpec(16, 16, 8);
  private Vertx vertx;
  private LocalMap<String, ParamSnapshot> map;
  private final List<Event> events = new CopyOnWriteArrayList<>();
  private final List<ParamsPublished> published = new CopyOnWriteArrayList<>();
  private final List<TrainRecord> steps = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    map = vertx.sharedData().getLocalMap("trainer-loop-test");
  }

  @AfterEach
  void tearDown() {
    map.values().forEach(ParamSnapshot::release);
    map.clear();
    vertx.close();
  }

  private TrainerLoop.Sink sink() {
    return new TrainerLoop.Sink() {
      @Override
      public void published(ParamsPublished p) {
        published.add(p);
      }

      @Override
      public void step(TrainRecord r) {
        steps.add(r);
      }

      @Override
      public void event(Event e) {
        events.add(e);
      }
    };
  }

  /** A real autoencoder trainer under another key, whose run takes {@code runSteps} steps of known length. */
  private static final class Named extends DelegatingTrainer {
    final String key;
    final int runSteps;
    final long stepMillis;
    final List<Long> stepThreads = new CopyOnWriteArrayList<>();
    volatile boolean throwNext;
    int left;

    Named(String key, AeTrainer inner, int runSteps, long stepMillis) {
      super(inner);
      this.key = key;
      this.runSteps = runSteps;
      this.stepMillis = stepMillis;
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public boolean canStartRun(boolean ignoreNewSamples) {
      return true;
    }

    @Override
    public int beginRun() {
      left = runSteps;
      return runSteps;
    }

    @Override
    public boolean nextBatch() {
      return left-- > 0;
    }

    @Override
    public float step() {
      if (throwNext) {
        throw new IllegalStateException("injected trainer fault");
      }
      stepThreads.add(Thread.currentThread().getId());
      try {
        Thread.sleep(stepMillis); // a step of known length, so slices are easy to reason about
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return inner.step();
    }

    @Override
    public int publishEvery() {
      return publishEvery;
    }

    int publishEvery = 1_000_000;
  }

  private TrainerLoop loop(List<Named> trainers, long sliceMillis) {
    return new TrainerLoop(() -> new ArrayList<>(trainers), key -> new ParamPublisher(key, map, 0),
        new TrainerLoop.Settings(sliceMillis * 1_000_000L, 3), sink());
  }

  @Test
  @DisplayName("trainers take turns in slices: a long run of one never keeps the others waiting behind it")
  void roundRobinSlices() throws Exception {
    List<Named> trainers = new ArrayList<>();
    trainers.add(new Named("long", AeTrainerTest.ae(spec, 2, 1e-3, 1), 1000, 20));
    trainers.add(new Named("short", AeTrainerTest.ae(spec, 2, 1e-3, 2), 3, 1));
    TrainerLoop loop = loop(trainers, 50);
    new Thread(loop, "test-trainer").start();
    try {
      loop.ready().get(60, TimeUnit.SECONDS);
      Await.until(Await.MINUTE, () -> steps.stream().filter(r -> r.model().equals("short")).count() >= 9,
          "three whole runs of the short model");
      loop.command("pause", 0).get(30, TimeUnit.SECONDS);
    } finally {
      loop.command("stop", 0).get(60, TimeUnit.SECONDS);
    }
    // the long run (1000 steps of 20 ms) is far from done, yet the short model has had three whole runs
    long longSteps = steps.stream().filter(r -> r.model().equals("long")).count();
    assertThat(longSteps).isLessThan(1000);
    List<String> order = steps.stream().map(TrainRecord::model).toList();
    int maxLongInARow = 0;
    int run = 0;
    for (String m : order) {
      run = m.equals("long") ? run + 1 : 0;
      maxLongInARow = Math.max(maxLongInARow, run);
    }
    assertThat(maxLongInARow).as("steps of one slice of 50 ms at 20 ms a step").isLessThanOrEqualTo(4);
    assertThat(published).filteredOn(p -> p.key().equals("short")).as("one publish at start and one per run")
        .hasSizeGreaterThanOrEqualTo(4);
    assertThat(trainers.get(0).stepThreads).as("all training on one thread").containsOnly(
        trainers.get(1).stepThreads.get(0));
    assertThat(loop.status().models()).extracting(ModelStatus::key).containsExactly("long", "short");
  }

  @Test
  @DisplayName("publish_every 2 publishes every second step and at a run's end; 0 only at a run's end (ami's sync)")
  void publishCadence() throws Exception {
    for (int every : new int[] {2, 0}) {
      published.clear();
      steps.clear();
      Named t = new Named("m" + every, AeTrainerTest.ae(spec, 2, 1e-3, 3), 5, 1);
      t.publishEvery = every;
      TrainerLoop loop = loop(List.of(t), 1000);
      new Thread(loop, "test-trainer").start();
      try {
        loop.ready().get(60, TimeUnit.SECONDS);
        Await.until(Await.MINUTE, () -> steps.size() >= 10, "two whole runs of five steps");
        loop.command("pause", 0).get(30, TimeUnit.SECONDS);
      } finally {
        loop.command("stop", 0).get(60, TimeUnit.SECONDS);
      }
      java.util.List<Long> at = published.stream().filter(p -> p.key().equals("m" + every))
          .map(ParamsPublished::trainerStep).toList();
      // the first publish is the initial parameters (step 0); then, per run of 5: steps 2, 4 and the end (5)
      java.util.List<Long> expected = every == 2 ? List.of(0L, 2L, 4L, 5L, 7L, 9L, 10L) : List.of(0L, 5L, 10L);
      assertThat(at.subList(0, Math.min(at.size(), expected.size()))).as("publish_every %d", every)
          .isEqualTo(expected);
    }
  }

  @Test
  @DisplayName("a trainer that throws mid-run ends in state failed with a trainer-crash event; its snapshot stays")
  void crashIsReported() throws Exception {
    Named t = new Named("k", AeTrainerTest.ae(spec, 2, 1e-3, 1), 10, 1);
    t.throwNext = true;
    TrainerLoop loop = loop(List.of(t), 50);
    new Thread(loop, "test-trainer").start();
    loop.finished().get(60, TimeUnit.SECONDS);
    assertThat(loop.status().state()).isEqualTo(RunState.FAILED);
    assertThat(events).anySatisfy(e -> {
      assertThat(e.kind()).isEqualTo("trainer-crash");
      assertThat(e.level()).isEqualTo("error");
      assertThat(e.message()).contains("injected trainer fault");
    });
    assertThat(published).as("the initial snapshot was published before the crash").hasSize(1);
    assertThat(map.get("k").version()).as("the agent can keep acting on it").isEqualTo(1);
    assertThat(loop.command("pause", 0).get(5, TimeUnit.SECONDS).state()).as("commands still answer")
        .isEqualTo(RunState.FAILED);
  }

  @Test
  @DisplayName("an unknown trainer command is refused; pause and resume are confirmed between steps")
  void commands() throws Exception {
    TrainerLoop loop = loop(List.of(new Named("k", AeTrainerTest.ae(spec, 2, 1e-3, 1), 5, 1)), 50);
    new Thread(loop, "test-trainer").start();
    try {
      loop.ready().get(60, TimeUnit.SECONDS);
      assertThat(loop.command("pause", 0).get(30, TimeUnit.SECONDS).state()).isEqualTo(RunState.PAUSED);
      long before = steps.size();
      // answered by the loop's thread, paused: a step it took meanwhile would be recorded before the answer
      assertThat(loop.command("dance", 0)).failsWithin(30, TimeUnit.SECONDS);
      assertThat(steps).as("no steps while paused").hasSize((int) before);
      assertThat(loop.command("resume", 0).get(30, TimeUnit.SECONDS).state()).isEqualTo(RunState.RUNNING);
    } finally {
      loop.command("stop", 0).get(60, TimeUnit.SECONDS);
    }
    assertThat(loop.status().state()).isEqualTo(RunState.STOPPED);
  }
}
