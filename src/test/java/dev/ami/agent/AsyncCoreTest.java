package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.RunState;
import dev.ami.bus.StepRecord;
import dev.ami.bus.TickRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.support.Await;
import dev.ami.support.RuntimeTest;
import dev.ami.support.TestRuntime;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The running system: agent and trainer together, driven only over the event bus. One runtime for the class; each
 * test starts from it running with the trainer's models in use, whatever the tests before it left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.Random.class)
@RuntimeTest
class AsyncCoreTest {
  private TestRuntime rt;

  @BeforeAll
  void start() throws Exception {
    rt = TestRuntime.start(Map.of());
  }

  @AfterAll
  void stop() throws Exception {
    rt.close();
  }

  /** Running again (a test that failed may have left it paused or stepping), with the trainer's models in use. */
  @BeforeEach
  void running() throws Exception {
    Await.until(Await.MINUTE, () -> rt.control("resume", 0).state() == RunState.RUNNING, "the system runs");
    Await.until(Await.MINUTE, () -> rt.status().getJsonObject("models").getJsonObject(ModelKeys.FD, new JsonObject())
        .getValue("version_in_use") instanceof Number v && v.longValue() >= 1, "the agent runs the trainer's fd");
  }

  @Test
  @DisplayName("the agent keeps ticking while the trainer trains: ticks land between training steps")
  void agentTicksBetweenTrainingSteps() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch enough = new CountDownLatch(1);
    AtomicInteger interleavings = new AtomicInteger();
    var ticks = rt.vertx().eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> order.add("tick"));
    var steps = rt.vertx().eventBus().<TrainRecord>consumer(Addresses.TELEMETRY_TRAIN, m -> {
      // count training steps that were preceded by at least one tick since the previous step
      int lastStep = order.lastIndexOf("step");
      if (lastStep >= 0 && order.subList(lastStep, order.size()).contains("tick")) {
        if (interleavings.incrementAndGet() >= 5) {
          enough.countDown();
        }
      }
      order.add("step");
    });
    try {
      assertThat(enough.await(TestRuntime.TIMEOUT_S, TimeUnit.SECONDS))
          .as("ticks between training steps, seen: %s", order.size()).isTrue();
    } finally {
      ticks.unregister();
      steps.unregister();
    }
  }

  @Test
  @DisplayName("a model's published versions increase monotonically and the agent's in-use version follows")
  void versionsIncreaseAndAgentFollows() throws Exception {
    List<Long> published = new CopyOnWriteArrayList<>();
    List<Long> used = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> caughtUp = new CompletableFuture<>();
    var pubs = rt.vertx().eventBus().<ParamsPublished>consumer(Addresses.PARAMS_PUBLISHED, m -> {
      if (m.body().key().equals(ModelKeys.FD)) {
        published.add(m.body().version());
      }
    });
    var ticks = rt.vertx().eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK, m -> {
      long v = m.body().models().get(ModelKeys.FD).versionUsed();
      used.add(v);
      if (published.size() >= 5 && v >= published.get(2)) {
        caughtUp.complete(null);
      }
    });
    try {
      TestRuntime.await(caughtUp);
    } finally {
      pubs.unregister();
      ticks.unregister();
    }
    assertThat(published).isSorted().doesNotHaveDuplicates();
    assertThat(used).isSorted();
    assertThat(used.get(used.size() - 1)).isGreaterThan(used.get(0));
  }

  @Test
  @DisplayName("pause stops transitions, both sides confirm; resume restarts them")
  void pauseStopsTransitionsResumeRestarts() throws Exception {
    List<Long> ticks = new CopyOnWriteArrayList<>();
    var consumer = rt.vertx().eventBus().<StepRecord>consumer(Addresses.TRANSITIONS, m -> ticks.add(m.body().tick()));
    try {
      ControlReply paused = rt.control("pause", 0);
      assertThat(paused.ok()).isTrue();
      assertThat(paused.state()).isEqualTo(RunState.PAUSED);
      assertThat(paused.detail().getJsonObject("trainer").getString("state")).isEqualTo("paused");
      long ticksAtPause = paused.detail().getLong("ticks");
      for (int i = 0; i < 20; i++) { // at 50 Hz a running agent would tick during these round-trips
        assertThat(rt.control("status", 0).detail().getLong("ticks")).isEqualTo(ticksAtPause);
      }
      assertThat(ticks).allSatisfy(t -> assertThat(t).isLessThanOrEqualTo(ticksAtPause));

      ControlReply resumed = rt.control("resume", 0);
      assertThat(resumed.state()).isEqualTo(RunState.RUNNING);
      CompletableFuture<Void> flowing = new CompletableFuture<>();
      var again = rt.vertx().eventBus().<StepRecord>consumer(Addresses.TRANSITIONS, m -> {
        if (m.body().tick() >= ticksAtPause + 3) {
          flowing.complete(null);
        }
      });
      TestRuntime.await(flowing);
      again.unregister();
    } finally {
      consumer.unregister();
    }
  }

  @Test
  @DisplayName("step n while paused ticks exactly n times, then the agent is paused again; n - 1 steps reach the "
      + "trainer (the last one's reward would need one more observation)")
  void stepYieldsExactlyN() throws Exception {
    assertThat(rt.control("pause", 0).state()).isEqualTo(RunState.PAUSED);
    List<Long> ticks = new CopyOnWriteArrayList<>();
    List<StepRecord> steps = new CopyOnWriteArrayList<>();
    CompletableFuture<Event> done = new CompletableFuture<>();
    var tickRecords = rt.vertx().eventBus().<TickRecord>consumer(Addresses.TELEMETRY_TICK,
        m -> ticks.add(m.body().tick()));
    var transitions = rt.vertx().eventBus().<StepRecord>consumer(Addresses.TRANSITIONS, m -> steps.add(m.body()));
    var events = rt.vertx().eventBus().<Event>consumer(Addresses.EVENTS, m -> {
      if (m.body().kind().equals("step-done")) {
        done.complete(m.body());
      }
    });
    try {
      ControlReply stepping = rt.control("step", 7);
      assertThat(stepping.ok()).isTrue();
      TestRuntime.await(done);
      ControlReply after = rt.control("status", 0); // round-trip: all records delivered
      assertThat(after.state()).isEqualTo(RunState.PAUSED);
      assertThat(ticks).hasSize(7);
      assertThat(ticks.get(6) - ticks.get(0)).isEqualTo(6);
      assertThat(steps).hasSize(6);
      assertThat(steps.get(0).tick()).isEqualTo(ticks.get(0));
      assertThat(steps.get(0).chainStart()).as("the first step after a pause starts a new chain").isTrue();
      assertThat(steps.subList(1, 6)).noneMatch(StepRecord::chainStart);
      assertThat(steps).allSatisfy(st -> assertThat(st.reward()).isFinite());
    } finally {
      tickRecords.unregister();
      transitions.unregister();
      events.unregister();
    }
    assertThat(rt.control("step", 0).ok()).as("n = 0 is refused").isFalse();
    assertThat(rt.control("step", 10_001).ok()).as("n > 10000 is refused").isFalse();
    assertThat(rt.control("resume", 0).ok()).isTrue();
    assertThat(rt.control("step", 1).ok()).as("step needs a paused system").isFalse();
  }

  @Test
  @DisplayName("unknown and not-yet-available commands get a clear error and change nothing")
  void unknownCommand() throws Exception {
    ControlReply reply = rt.control("dance", 0);
    assertThat(reply.ok()).isFalse();
    assertThat(reply.error()).contains("unknown command 'dance'");
    assertThat(rt.control("status", 0).state()).isEqualTo(RunState.RUNNING);
  }
}
