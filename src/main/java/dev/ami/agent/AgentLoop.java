package dev.ami.agent;

import dev.ami.bus.AgentHandover;
import dev.ami.bus.AgentState;
import dev.ami.bus.Event;
import dev.ami.bus.ModelTick;
import dev.ami.bus.Place;
import dev.ami.bus.RunState;
import dev.ami.bus.StepRecord;
import dev.ami.bus.TickRecord;
import dev.ami.control.CommandLoop;
import dev.ami.env.Action;
import dev.ami.env.Environment;
import dev.ami.env.Frame;
import dev.ami.params.ParamFollower;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's fixed-rate loop, run on a thread it owns. Each tick: take up freshly prepared parameters,
 * observe, let the {@link Brain} decide, act, report. Between ticks it applies control commands. Nothing
 * here waits for the trainer.
 */
public final class AgentLoop extends CommandLoop<AgentStatus> {
  private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);

  /** Where the loop's output goes; the verticle wires these to the event bus. */
  public interface Sink {
    void step(StepRecord s);

    void tick(TickRecord r);

    /** The frame the tick acted on, what it did and what it predicted; the sink decides how often to pass it on. */
    void observation(long tick, Frame frame, Action action, float[] predictedLatent, Map<String, Long> versions);

    void event(Event e);
  }

  private final Environment env;
  private final TickScheduler scheduler;
  private final Sink sink;
  private final Supplier<Brain> brainFactory;
  private final Runnable onThreadStart;
  private final Runnable onTicking;
  private final boolean standby;
  private final AgentState resumeFrom;
  private volatile boolean handedOver;
  private long lastDeadline;
  private volatile Brain brain;
  private volatile List<ParamFollower> followers = List.of();
  private volatile long ticks;
  private volatile long noFrameTicks;
  private volatile long staleTicks;
  private volatile Action lastAction = Action.NEUTRAL;
  private long lastSequence = Long.MIN_VALUE;
  private int stepsLeft;
  private int stepsRequested;

  /**
   * @param onThreadStart thread setup before the models are built (CPU pinning)
   * @param onTicking thread setup before the first tick (real-time priority); for a standby loop, once warmed up
   * @param resumeFrom a checkpoint's agent state to go on from (counters, hidden state), or null
   * @param standby build the models, then wait for {@link #takeOver} instead of ticking (a redeploy)
   */
  public AgentLoop(Environment env, TickScheduler scheduler, Sink sink, Supplier<Brain> brainFactory,
                   Runnable onThreadStart, Runnable onTicking, AgentState resumeFrom, boolean standby) {
    super("agent", sink::event);
    this.env = env;
    this.scheduler = scheduler;
    this.sink = sink;
    this.brainFactory = brainFactory;
    this.onThreadStart = onThreadStart;
    this.onTicking = onTicking;
    this.resumeFrom = resumeFrom;
    this.standby = standby;
  }

  /**
   * Stops at the next tick boundary and hands over: counters, hidden state and the next tick's deadline. The
   * loop then ends without touching the actuators, which the successor keeps driving; its models are closed.
   */
  public CompletableFuture<AgentHandover> handOver() {
    return onLoop(() -> {
      boolean paused = state == RunState.PAUSED || state == RunState.STEPPING;
      AgentHandover h = new AgentHandover(new AgentState(ticks, noFrameTicks, staleTicks, scheduler.missed(),
          brain.state()), scheduler.nextDeadline(), lastDeadline, scheduler.periodNanos(), paused);
      handedOver = true;
      return h;
    });
  }

  /**
   * A standby loop takes over from its predecessor: same counters, its hidden state when the forward model has
   * the same size (else zeros), and the next tick exactly on the predecessor's schedule. Returns that deadline.
   */
  public CompletableFuture<Long> takeOver(AgentHandover h) {
    return onLoop(() -> {
      if (state != RunState.STANDBY) {
        throw new IllegalStateException("the agent is " + state.wireName() + ", not standing by");
      }
      AgentState s = h.state();
      ticks = s.ticks();
      noFrameTicks = s.noFrameTicks();
      staleTicks = s.staleTicks();
      scheduler.carryMissed(s.missedTicks());
      try {
        brain.restoreState(s.hidden());
      } catch (IllegalArgumentException otherSize) {
        LOG.info("the new agent starts from a zero hidden state: {}", otherSize.getMessage());
      }
      if (h.paused()) {
        pauseHere();
      } else {
        state = RunState.RUNNING;
        // the predecessor's next deadline, unless it has already gone by (then the next one: never a burst)
        scheduler.continueAt(h.nextDeadlineNanos());
      }
      return scheduler.nextDeadline();
    });
  }

  /** True once this loop handed its agent over. */
  public boolean handedOver() {
    return handedOver;
  }

  /** The counters and the brain's state, taken between two ticks (or while paused) for a checkpoint. */
  public CompletableFuture<AgentState> capture() {
    return onLoop(() -> new AgentState(ticks, noFrameTicks, staleTicks, scheduler.missed(), brain.state()));
  }

  /** The brain's parameter followers, once {@link #ready()} completed: the verticle prepares them off the tick. */
  public List<ParamFollower> followers() {
    return followers;
  }

  @Override
  public AgentStatus status() {
    Map<String, Long> versions = new LinkedHashMap<>();
    for (ParamFollower f : followers) {
      versions.put(f.key(), f.inUseVersion());
    }
    return new AgentStatus(state, ticks, versions, scheduler.missed(), noFrameTicks, staleTicks, lastAction,
        env.frames().stats());
  }

  @Override
  protected RunState stateAfterStart() {
    return standby ? RunState.STANDBY : RunState.RUNNING;
  }

  @Override
  protected void start() {
    onThreadStart.run(); // scheduling first: threads libtorch creates inherit this thread's CPU mask
    brain = brainFactory.get();
    followers = brain.followers();
    if (standby) {
      Frame f = env.frames().latest();
      if (f != null) {
        brain.warmUp(f); // at normal priority: the ticking agent must not wait behind it
      }
    }
    // real-time priority now that the models are built (built at it, they would starve a loop still ticking on
    // this CPU), so the handover has nothing left to set; a standby loop holds it idle, blocked on its command
    // queue until it takes over
    onTicking.run();
    if (resumeFrom != null) {
      if (resumeFrom.hidden() != null) { // none: a loop started again after a crash starts from a zero state
        brain.restoreState(resumeFrom.hidden());
      }
      ticks = resumeFrom.ticks();
      noFrameTicks = resumeFrom.noFrameTicks();
      staleTicks = resumeFrom.staleTicks();
      scheduler.carryMissed(resumeFrom.missedTicks());
    }
    scheduler.restart();
  }

  @Override
  protected void loop() throws InterruptedException {
    while (true) {
      if (!applyCommands() || handedOver) {
        return;
      }
      if (state == RunState.PAUSED || state == RunState.STANDBY) {
        if (!awaitCommand(1000)) {
          return;
        }
        continue;
      }
      long deadline = scheduler.awaitNext(this::hasCommands);
      if (deadline < 0) {
        continue; // a command arrived while waiting
      }
      tick(deadline);
      if (state == RunState.STEPPING && --stepsLeft == 0) {
        pauseHere();
        sink.event(Event.info("step-done", "stepped " + stepsRequested + " ticks, paused at tick " + ticks));
      }
    }
  }

  private void tick(long deadline) {
    long start = System.nanoTime();
    lastDeadline = deadline;
    // take up fresh parameters first, so a publish is acted on at the very next tick
    int n = followers.size();
    double[] swapMs = new double[n];
    double[] publishToUseMs = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      ParamFollower.Swap swap = followers.get(i).swapIfReady();
      swapMs[i] = swap == null ? Double.NaN : (System.nanoTime() - t0) / 1e6;
      publishToUseMs[i] = swap == null ? Double.NaN : (start - swap.publishedNanos()) / 1e6;
    }
    Frame frame = env.frames().latest();
    if (frame == null) {
      noFrameTicks++;
      brain.breakChain();
      lastAction = Action.NEUTRAL;
      env.actuator().neutral(); // hold still while blind
      ticks++;
      sink.tick(new TickRecord(ticks, (start - deadline) / 1e6, (System.nanoTime() - start) / 1e6, 0, Map.of(),
          Double.NaN, null, Action.NEUTRAL.index(), scheduler.missed(), System.currentTimeMillis(), true, place()));
      return;
    }
    boolean stale = frame.sequence() == lastSequence;
    lastSequence = frame.sequence();
    if (stale) {
      staleTicks++;
    }
    long tickIndex = ticks + 1;
    long inferStart = System.nanoTime();
    Decision d = brain.decide(frame, tickIndex, stale);
    long inferEnd = System.nanoTime();
    env.actuator().act(d.action());
    lastAction = d.action();
    if (d.completed() != null) {
      sink.step(d.completed());
    }
    long end = System.nanoTime();
    ticks = tickIndex;
    Map<String, ModelTick> models = new LinkedHashMap<>();
    Map<String, Long> versions = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      ParamFollower f = followers.get(i);
      long used = f.inUseVersion();
      versions.put(f.key(), used);
      models.put(f.key(), new ModelTick(used, Math.max(f.newestPublished(), used), d.computeMs()[i], swapMs[i],
          publishToUseMs[i]));
    }
    sink.observation(tickIndex, frame, d.action(), d.predictedLatent(), versions);
    sink.tick(new TickRecord(tickIndex, (start - deadline) / 1e6, (end - start) / 1e6, (inferEnd - inferStart) / 1e6,
        models, d.reward(), d.actionProbs(), d.action().index(), scheduler.missed(), System.currentTimeMillis(),
        false, place()));
  }

  /** Where the avatar stands, when the world can tell (the built-in one): a volatile read, no wait. */
  private Place place() {
    return env.exploration() == null ? null : env.exploration().place();
  }

  @Override
  protected boolean handle(Command<AgentStatus> c) {
    switch (c.name()) {
      case "pause" -> {
        pauseHere();
        c.done().complete(status());
      }
      case "resume" -> {
        if (state != RunState.RUNNING) {
          state = RunState.RUNNING;
          scheduler.restart();
        }
        c.done().complete(status());
      }
      case "step" -> {
        if (state != RunState.PAUSED) {
          c.done().completeExceptionally(new IllegalStateException("step needs the system paused; it is "
              + state.wireName()));
        } else {
          state = RunState.STEPPING;
          stepsLeft = c.n();
          stepsRequested = c.n();
          scheduler.restart();
          c.done().complete(status());
        }
      }
      default -> c.done().completeExceptionally(new IllegalArgumentException("unknown agent command " + c.name()));
    }
    return true;
  }

  private void pauseHere() {
    state = RunState.PAUSED;
    if (brain != null) {
      brain.breakChain(); // the world moved on without us: the step in progress has no honest reward
    }
    safeNeutral();
  }

  @Override
  protected void onStop() {
    if (!handedOver && state != RunState.STANDBY) { // the actuators belong to whoever ticks now
      safeNeutral();
    }
  }

  @Override
  protected void finish() {
    if (!handedOver && state != RunState.STANDBY) {
      safeNeutral();
    }
    if (brain != null) {
      brain.close(); // closes the followers first: a late publish never writes into freed tensors
    }
  }

  private void safeNeutral() {
    lastAction = Action.NEUTRAL;
    try {
      env.actuator().neutral();
    } catch (RuntimeException e) {
      LOG.warn("could not set actuators neutral", e);
    }
  }
}
