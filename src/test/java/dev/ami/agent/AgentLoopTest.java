package dev.ami.agent;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import dev.ami.bus.AgentHandover;
import dev.ami.bus.Event;
import dev.ami.bus.RunState;
import dev.ami.bus.StepRecord;
import dev.ami.bus.TickRecord;
import dev.ami.env.Action;
import dev.ami.env.Actuator;
import dev.ami.env.Environment;
import dev.ami.env.Frame;
import dev.ami.env.FrameSource;
import dev.ami.model.AutoEncoders;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.support.Await;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's loop on its own thread with stand-ins that only record: a frame source the test sets, an actuator
 * that logs its calls, a brain that decides "forward" and notes what it ran with. Real parameter sync where a test
 * is about it.
 */
@DisplayName("the agent loop")
@ExtendWith(VertxExtension.class)
class AgentLoopTest {
  private static final Action FORWARD = new Action(1, 0, 0, 0, 0);

  /** The newest frame, as the test sets it; null: nothing to see. */
  static final class Frames implements FrameSource {
    volatile Frame latest;

    @Override
    public void start() {
    }

    @Override
    public Frame latest() {
      return latest;
    }

    @Override
    public void close() {
    }
  }

  /** Every call, in order: "act" or "neutral". */
  static final class Calls implements Actuator {
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void act(Action action) {
      calls.add("act");
    }

    @Override
    public void neutral() {
      calls.add("neutral");
    }

    @Override
    public void close() {
      neutral();
    }

    String last() {
      return calls.isEmpty() ? null : calls.get(calls.size() - 1);
    }
  }

  /** Decides FORWARD; notes, per tick, whether the frame was stale and the version its follower ran. */
  static final class Noting implements Brain {
    final List<ParamFollower> followers;
    final Map<Long, Long> versionAtDecide = new ConcurrentHashMap<>();
    final Map<Long, Boolean> stale = new ConcurrentHashMap<>();
    volatile int chainBreaks;
    volatile boolean closed;
    volatile LongConsumer duringDecide = tick -> { };

    Noting(List<ParamFollower> followers) {
      this.followers = followers;
    }

    @Override
    public List<ParamFollower> followers() {
      return followers;
    }

    @Override
    public Decision decide(Frame frame, long tick, boolean stale) {
      this.stale.put(tick, stale);
      duringDecide.accept(tick);
      versionAtDecide.put(tick, followers.isEmpty() ? -1 : followers.get(0).inUseVersion());
      return new Decision(FORWARD, null, 0.5, null, null, new double[followers.size()]);
    }

    @Override
    public void breakChain() {
      chainBreaks++;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** Records the loop's outputs. */
  static final class Recorded implements AgentLoop.Sink {
    final List<TickRecord> ticks = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();

    @Override
    public void step(StepRecord s) {
    }

    @Override
    public void tick(TickRecord r) {
      ticks.add(r);
    }

    @Override
    public void observation(long tick, Frame frame, Action action, float[] predictedLatent,
                            Map<String, Long> versions) {
    }

    @Override
    public void event(Event e) {
      events.add(e);
    }
  }

  private final Frames frames = new Frames();
  private final Calls actuator = new Calls();
  private final Recorded sink = new Recorded();
  private AgentLoop loop;

  /** Starts a loop at 100 Hz around {@code brain}, parked between ticks (no spinning), and waits until it runs. */
  private AgentLoop start(Brain brain) throws Exception {
    loop = new AgentLoop(new Environment("test", frames, actuator), new TickScheduler(100, 0), sink, () -> brain,
        () -> { }, () -> { }, null, false);
    new Thread(loop, "test-agent").start();
    loop.ready().get(60, TimeUnit.SECONDS);
    return loop;
  }

  @AfterEach
  void stop() throws Exception {
    if (loop != null) {
      loop.command("stop", 0).get(60, TimeUnit.SECONDS);
    }
  }

  private static Frame frame(long sequence) {
    return new Frame(new float[3 * 4 * 4], 4, 4, sequence, System.nanoTime());
  }

  /** A loop with a frame to look at and no models, three ticks in. */
  private Noting ticking() throws Exception {
    Noting brain = new Noting(List.of());
    frames.latest = frame(1);
    start(brain);
    awaitTicks(3);
    return brain;
  }

  private void awaitTicks(long n) throws Exception {
    Await.until(Await.MINUTE, () -> loop.status().ticks() >= n, "the loop reaches tick " + n);
  }

  @Test
  @DisplayName("a snapshot that gets ready during a tick is taken up before the next tick decides, never within "
      + "one, and every tick reports the version it decided with")
  void swapsBetweenTicks(Vertx vertx) throws Exception {
    ModelSpec spec = new ModelSpec(16, 4, 8);
    LocalMap<String, ParamSnapshot> map = vertx.sharedData().getLocalMap("agent-loop-test");
    Noting brain;
    try (NDManager manager = NDManager.newBaseManager();
         ParamPublisher publisher = new ParamPublisher("k", map, 0)) {
      ParamFollower follower = new ParamFollower("k", "encoder", map, encoder(spec, manager),
          encoder(spec, manager));
      Block trained = encoder(spec, manager);
      brain = new Noting(List.of(follower));
      // at tick 3 the trainer publishes and the copy into the idle block completes while the brain still decides
      brain.duringDecide = tick -> {
        if (tick == 3) {
          publisher.publish(Map.of("encoder", trained), 10);
          assertThat(follower.prepare()).as("a copy into the idle block").isTrue();
        }
      };
      frames.latest = frame(1);
      start(brain);
      awaitTicks(6);
      loop.command("stop", 0).get(60, TimeUnit.SECONDS);
      follower.close();
      map.values().forEach(ParamSnapshot::release);
      map.clear();
    }
    assertThat(loop.failure()).as("the loop ran without a crash").isNull();
    assertThat(sink.ticks).hasSizeGreaterThanOrEqualTo(6);
    for (TickRecord r : sink.ticks) {
      assertThat(r.models().get("k").versionUsed()).as("tick %d reports the version it decided with", r.tick())
          .isEqualTo(brain.versionAtDecide.get(r.tick()));
    }
    assertThat(brain.versionAtDecide.get(3L)).as("tick 3 decides with what it started with").isZero();
    assertThat(brain.versionAtDecide.get(4L)).as("the very next tick runs the new version").isEqualTo(1);
    assertThat(brain.versionAtDecide.get(6L)).isEqualTo(1);
  }

  @Test
  @DisplayName("pause sets the actuators neutral at once and drops the step in progress; paused, nothing ticks: "
      + "step 3 ticks exactly three times and pauses again; resume ticks on")
  void pauseIsNeutralAndStill() throws Exception {
    Noting brain = ticking();
    int breaks = brain.chainBreaks;
    AgentStatus paused = loop.command("pause", 0).get(60, TimeUnit.SECONDS);
    assertThat(paused.state()).isEqualTo(RunState.PAUSED);
    assertThat(actuator.last()).as("the last call when the pause is confirmed").isEqualTo("neutral");
    assertThat(brain.chainBreaks).as("the step in progress is dropped").isGreaterThan(breaks);
    long ticksAtPause = paused.ticks();

    assertThat(loop.command("step", 3).get(60, TimeUnit.SECONDS).state()).isEqualTo(RunState.STEPPING);
    Await.until(Await.MINUTE, () -> sink.events.stream().anyMatch(e -> e.kind().equals("step-done")),
        "the steps are done");
    // the three steps come after the pause: any tick while paused would show as a fourth
    assertThat(sink.ticks).filteredOn(r -> r.tick() > ticksAtPause).extracting(TickRecord::tick)
        .containsExactly(ticksAtPause + 1, ticksAtPause + 2, ticksAtPause + 3);
    AgentStatus after = loop.status();
    assertThat(after.state()).isEqualTo(RunState.PAUSED);
    assertThat(after.ticks()).isEqualTo(ticksAtPause + 3);
    assertThat(actuator.last()).as("neutral again after the last step").isEqualTo("neutral");

    assertThat(loop.command("resume", 0).get(60, TimeUnit.SECONDS).state()).isEqualTo(RunState.RUNNING);
    awaitTicks(ticksAtPause + 6);
    assertThat(actuator.last()).isEqualTo("act");
  }

  @Test
  @DisplayName("a tick without a frame holds still: neutral, no decision, a blind record; a frame seen before is "
      + "decided on as stale")
  void blindAndStaleTicks() throws Exception {
    Noting brain = new Noting(List.of());
    start(brain);
    awaitTicks(3);
    assertThat(brain.stale).as("nothing decided without a frame").isEmpty();
    assertThat(actuator.calls).as("held still").containsOnly("neutral");
    assertThat(sink.ticks).allSatisfy(r -> {
      assertThat(r.blind()).isTrue();
      assertThat(r.models()).isEmpty();
    });
    assertThat(loop.status().noFrameTicks()).isEqualTo(loop.status().ticks());

    frames.latest = frame(7); // one frame that stays: the first tick sees it new, the next ones again
    Await.until(Await.MINUTE, () -> brain.stale.size() >= 3, "three decisions");
    long first = brain.stale.keySet().stream().mapToLong(Long::longValue).min().orElseThrow();
    assertThat(brain.stale.get(first)).as("the first look at the frame").isFalse();
    assertThat(brain.stale.get(first + 1)).as("the same frame again").isTrue();
    assertThat(loop.status().staleTicks()).isPositive();
    assertThat(actuator.calls).contains("act");
  }

  @Test
  @DisplayName("stop sets the actuators neutral and closes the brain")
  void stopIsNeutral() throws Exception {
    Noting brain = ticking();
    loop.command("stop", 0).get(60, TimeUnit.SECONDS);
    assertThat(loop.finished()).isDone();
    assertThat(actuator.last()).isEqualTo("neutral");
    assertThat(brain.closed).isTrue();
    assertThat(loop.status().state()).isEqualTo(RunState.STOPPED);
  }

  @Test
  @DisplayName("a loop that hands over gives its counters and leaves the actuators to its successor: not neutral")
  void handOverLeavesActuators() throws Exception {
    Noting brain = ticking();
    AgentHandover h = loop.handOver().get(60, TimeUnit.SECONDS);
    loop.finished().get(60, TimeUnit.SECONDS);
    assertThat(h.state().ticks()).isEqualTo(loop.status().ticks()).isGreaterThanOrEqualTo(3);
    assertThat(h.paused()).isFalse();
    assertThat(loop.handedOver()).isTrue();
    assertThat(actuator.last()).as("not neutral after the last action: the successor acts on from it")
        .isEqualTo("act");
    assertThat(brain.closed).isTrue();
  }

  @Test
  @DisplayName("a brain that throws ends the loop failed, with an agent-crash event and the actuators neutral")
  void crashIsNeutral() throws Exception {
    Noting brain = new Noting(List.of());
    brain.duringDecide = tick -> {
      if (tick == 3) {
        throw new IllegalStateException("injected at tick 3");
      }
    };
    frames.latest = frame(1);
    start(brain);
    loop.finished().get(60, TimeUnit.SECONDS);
    assertThat(loop.status().state()).isEqualTo(RunState.FAILED);
    assertThat(loop.failure()).hasMessageContaining("injected at tick 3");
    assertThat(sink.events).extracting(Event::kind).contains("agent-crash");
    assertThat(actuator.last()).isEqualTo("neutral");
    assertThat(brain.closed).isTrue();
  }

  private static Block encoder(ModelSpec spec, NDManager manager) {
    Block b = AutoEncoders.encoder(spec);
    b.initialize(manager, DataType.FLOAT32, spec.frameShape(1));
    return b;
  }
}
