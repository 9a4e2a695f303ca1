package dev.ami.agent;

import dev.ami.bus.Event;
import dev.ami.bus.RunState;
import dev.ami.bus.TickRecord;
import dev.ami.bus.Transition;
import dev.ami.env.Action;
import dev.ami.env.Environment;
import dev.ami.env.Frame;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamFollower;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's fixed-rate loop, run on a thread it owns. Each tick: observe, encode, choose, act, report.
 * Between ticks it applies control commands and takes up freshly prepared parameters. Nothing here waits
 * for the trainer.
 */
public final class AgentLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentLoop.class);

  /** Where the loop's output goes; the verticle wires these to the event bus. */
  public interface Sink {
    void transition(Transition t);

    void tick(TickRecord r);

    /** The frame the tick acted on and what it did; the sink decides how often to pass it on. */
    void observation(long tick, Frame frame, Action action);

    void event(Event e);
  }

  private record Command(String name, int n, CompletableFuture<AgentStatus> done) {
  }

  private final ModelSpec spec;
  private final Environment env;
  private final Policy policy;
  private final TickScheduler scheduler;
  private final Sink sink;
  private final Function<ModelSpec, InferenceModel> modelFactory;
  private final Runnable onThreadStart;
  private final LinkedBlockingQueue<Command> commands = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final CompletableFuture<InferenceModel> ready = new CompletableFuture<>();
  private volatile RunState state = RunState.STARTING;
  private volatile long ticks;
  private volatile long noFrameTicks;
  private volatile Action lastAction = Action.NEUTRAL;
  private volatile ParamFollower follower;
  private int stepsLeft;
  private int stepsRequested;

  public AgentLoop(ModelSpec spec, Environment env, Policy policy, TickScheduler scheduler, Sink sink,
                   Function<ModelSpec, InferenceModel> modelFactory, Runnable onThreadStart) {
    this.spec = spec;
    this.env = env;
    this.policy = policy;
    this.scheduler = scheduler;
    this.sink = sink;
    this.modelFactory = modelFactory;
    this.onThreadStart = onThreadStart;
  }

  /** Set by the verticle once the model exists (the follower needs the model's parameters). */
  public void follow(ParamFollower follower) {
    this.follower = follower;
  }

  /** Completes with the inference model once the loop's thread has built it. */
  public CompletableFuture<InferenceModel> ready() {
    return ready;
  }

  /** Completes when the loop has ended and released its model. */
  public CompletableFuture<Void> finished() {
    return finished;
  }

  public AgentStatus status() {
    return new AgentStatus(state, ticks, follower == null ? 0 : follower.inUseVersion(), scheduler.missed(),
        noFrameTicks, lastAction, env.frames().stats());
  }

  /** Queues a command (pause, resume, step, stop); completes once the loop has carried it out. */
  public CompletableFuture<AgentStatus> command(String name, int n) {
    CompletableFuture<AgentStatus> done = new CompletableFuture<>();
    if (finished.isDone()) {
      done.complete(status());
    } else {
      commands.add(new Command(name, n, done));
    }
    return done;
  }

  @Override
  public void run() {
    InferenceModel model = null;
    try {
      onThreadStart.run(); // scheduling first: threads libtorch creates inherit this thread's CPU mask
      model = modelFactory.apply(spec);
      ready.complete(model);
      state = RunState.RUNNING;
      scheduler.restart();
      loop(model);
    } catch (Throwable t) {
      state = RunState.FAILED;
      LOG.error("agent loop crashed", t);
      sink.event(Event.error("agent-crash", "agent loop crashed: " + t));
      ready.completeExceptionally(t);
    } finally {
      safeNeutral();
      if (model != null) {
        model.close();
      }
      if (state != RunState.FAILED) {
        state = RunState.STOPPED;
      }
      drainCommands();
      finished.complete(null);
    }
  }

  private void loop(InferenceModel model) throws InterruptedException {
    while (true) {
      if (!applyCommands()) {
        return;
      }
      if (state == RunState.PAUSED) {
        Command c = commands.poll(1, TimeUnit.SECONDS);
        if (c != null && !handle(c)) {
          return;
        }
        continue;
      }
      long deadline = scheduler.awaitNext(() -> !commands.isEmpty());
      if (deadline < 0) {
        continue; // a command arrived while waiting
      }
      tick(model, deadline);
      if (state == RunState.STEPPING && --stepsLeft == 0) {
        state = RunState.PAUSED;
        safeNeutral();
        sink.event(Event.info("step-done", "stepped " + stepsRequested + " ticks, paused at tick " + ticks));
      }
    }
  }

  private void tick(InferenceModel model, long deadline) {
    long start = System.nanoTime();
    // take up fresh parameters first, so a publish is acted on at the very next tick
    ParamFollower.Swap swap = follower == null ? null : follower.swapIfReady();
    double swapMs = swap == null ? Double.NaN : (System.nanoTime() - start) / 1e6;
    double publishToUseMs = swap == null ? Double.NaN : (start - swap.publishedNanos()) / 1e6;
    long published = follower == null ? 0 : follower.newestPublished();
    Frame frame = env.frames().latest();
    if (frame == null) {
      noFrameTicks++;
      lastAction = Action.NEUTRAL;
      env.actuator().neutral(); // hold still while blind
      return;
    }
    long inferStart = System.nanoTime();
    float[] latent = model.encode(frame.chw(), follower == null ? 0 : follower.activeIndex());
    long inferEnd = System.nanoTime();
    Action action = policy.choose(latent);
    env.actuator().act(action);
    lastAction = action;
    long version = follower == null ? 0 : follower.inUseVersion();
    long tickIndex = ticks + 1;
    sink.transition(new Transition(tickIndex, frame.chw(), action.index(), version, deadline, start,
        System.currentTimeMillis()));
    long end = System.nanoTime();
    ticks = tickIndex;
    sink.observation(tickIndex, frame, action);
    sink.tick(new TickRecord(tickIndex, (start - deadline) / 1e6, (end - start) / 1e6, (inferEnd - inferStart) / 1e6,
        version, Math.max(published, version), swapMs, publishToUseMs, action.index(),
        scheduler.missed(), System.currentTimeMillis()));
  }

  /** Applies queued commands; returns false when the loop must end. */
  private boolean applyCommands() {
    Command c;
    while ((c = commands.poll()) != null) {
      if (!handle(c)) {
        return false;
      }
    }
    return true;
  }

  /** Carries out one command; returns false when the loop must end. */
  private boolean handle(Command c) {
    switch (c.name()) {
      case "pause" -> {
        state = RunState.PAUSED;
        safeNeutral();
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
      case "stop" -> {
        state = RunState.STOPPING;
        safeNeutral();
        commands.add(c); // completed by drainCommands once the model is closed
        return false;
      }
      default -> c.done().completeExceptionally(new IllegalArgumentException("unknown agent command " + c.name()));
    }
    return true;
  }

  private void drainCommands() {
    Command c;
    while ((c = commands.poll()) != null) {
      c.done().complete(status());
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
