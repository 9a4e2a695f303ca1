package dev.ami.agent;

import dev.ami.bus.Addresses;
import dev.ami.bus.AgentHandover;
import dev.ami.bus.AgentState;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.Event;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.ObservationRecord;
import dev.ami.bus.RunState;
import dev.ami.bus.StepRecord;
import dev.ami.bus.TickRecord;
import dev.ami.config.AgentOptions;
import dev.ami.config.AmiConfig;
import dev.ami.config.RecordOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.SystemOptions;
import dev.ami.config.TelemetryOptions;
import dev.ami.control.LoopControl;
import dev.ami.control.RestartPolicy;
import dev.ami.env.Action;
import dev.ami.env.Environment;
import dev.ami.env.Frame;
import dev.ami.handover.Handovers;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamSnapshot;
import dev.ami.system.CpuPlan;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.shareddata.LocalMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the agent: builds its environment, runs {@link AgentLoop} on a thread it owns, and connects the
 * loop to the event bus. Deployed as a worker so parameter preparation may block its context.
 *
 * <p>It supervises the loop: a loop that crashes has already set the actuators neutral; it is started again after a
 * backoff ({@code agent.restart_*}, as the trainer's), on the same environment, with its counters and a zero hidden
 * state, taking up the newest snapshots in the local map, until more crashes than the budget fall inside the
 * window. Each restart is an {@code agent-restart} event, and the status (and so /health) says so.
 */
public final class AgentVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);
  private static final long SOURCE_CHECK_MS = 250;
  private static final long WORLD_REPORT_MS = 1000;

  /** Deployment-config flag (not a user key): build the models, then wait to take over from a running agent. */
  public static final String STANDBY = "ami.standby";
  /**
   * Deployment-config flag (not a user key) of a standby agent: the trainer is redeployed with it, so the old
   * trainer's snapshots may not fit it, and that is no news to report.
   */
  public static final String TRAINER_FOLLOWS = "ami.trainer_follows";

  /** Builds the agent's brain on its thread; tests wrap the default one. */
  @FunctionalInterface
  public interface BrainFactory {
    Brain build(AmiConfig config, LocalMap<String, ParamSnapshot> params);
  }

  private final BrainFactory brains;
  private final Function<AmiConfig, Environment> environments;
  private volatile AgentLoop loop;
  private Environment env;
  private boolean standby;
  private RestartPolicy policy;
  private volatile boolean stopping;
  private volatile boolean restarting;
  private volatile boolean gaveUp;
  private volatile int restarts;
  private volatile String lastError;
  private volatile boolean operatorPaused; // paused or stepping: a loop started again must not walk on its own

  /**
   * @param brains the brain each config asks for (the agent kinds'; tests wrap it)
   * @param environments the world a config names, built when no running agent hands one over
   */
  public AgentVerticle(BrainFactory brains, Function<AmiConfig, Environment> environments) {
    this.brains = brains;
    this.environments = environments;
  }
  private final List<MessageConsumer<?>> live = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    standby = config().getBoolean(STANDBY, false);
    policy = RestartPolicy.of(AgentOptions.from(config).restart());
    EventBus bus = vertx.eventBus();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    Handovers handovers = Handovers.of(vertx);
    AgentState resume = standby ? null
        : handovers.takeResumeAgent();
    Future<Environment> environment;
    if (standby) {
      Environment running = handovers.environment();
      environment = running != null ? Future.succeededFuture(running)
          : Future.failedFuture("no running agent to take over from");
    } else {
      environment = vertx.executeBlocking(() -> {
        Environment created = environments.apply(config);
        try {
          created.frames().start();
        } catch (Exception e) {
          created.close(); // the actuator's socket and shutdown hook must not outlive a failed start
          throw e;
        }
        return created;
      });
    }
    return environment.compose(e -> {
      env = e;
      if (!standby) {
        handovers.environment(e);
      }
      loop = newLoop(config, params, bus, resume, standby);
      new Thread(loop, "ami-agent").start();
      return Future.fromCompletionStage(loop.ready(), context)
          .onFailure(err -> closeEnv()); // the models failed to build: no socket or hook may outlive them
    }).map(v -> {
      bus.<Object>consumer(Addresses.PARAMS_PUBLISHED, m -> prepareAll(bus));
      prepareAll(bus); // a redeployed agent starts from the newest snapshots that fit it
      bus.<Object>consumer(Addresses.AGENT_HANDOVER_PREFIX + deploymentID() + ".give", this::giveOver);
      bus.<AgentHandover>consumer(Addresses.AGENT_HANDOVER_PREFIX + deploymentID() + ".takeback",
          m -> takeBack(m, config));
      if (standby) {
        bus.<AgentHandover>consumer(Addresses.AGENT_HANDOVER_PREFIX + deploymentID() + ".take",
            m -> takeOver(m, config));
        LOG.info("new agent ({}) built and warmed up; standing by to take over", RunOptions.from(config).kind());
      } else {
        goLive(config);
      }
      return null;
    });
  }

  private AgentLoop newLoop(AmiConfig config, LocalMap<String, ParamSnapshot> params, EventBus bus, AgentState resume,
                            boolean asStandby) {
    CpuPlan plan = CpuPlan.of(SystemOptions.from(config).isolateCpus());
    AgentOptions agent = AgentOptions.from(config);
    return new AgentLoop(env, new TickScheduler(agent.hz(), agent.spinMs()),
        busSink(bus, TelemetryOptions.from(config).frameHz(), RecordOptions.from(config).enabled()),
        () -> brains.build(config, params), plan::pinAgentThread,
        () -> plan.agentPriority(agent.realtime()), resume, asStandby);
  }

  /** The loop's status as its supervisor sees it: restarting while it waits, failed once it gave up. */
  private AgentStatus status() {
    AgentStatus s = loop.status();
    RunState state = restarting ? RunState.RESTARTING : gaveUp ? RunState.FAILED : s.state();
    return s.supervised(state, restarts, lastError);
  }

  /** Watches a live loop: when it crashes (not when it stops or hands over), it is started again within budget. */
  private void supervise(AgentLoop watched, AmiConfig config) {
    // this verticle's own context: the loop's thread is no Vert.x thread, and vertx.runOnContext from it would
    // run ended() on a fresh event-loop context, concurrently with stop() and the handover handlers
    watched.finished().whenComplete((v, t) -> context.runOnContext(x -> ended(watched, config)));
  }

  private void ended(AgentLoop ended, AmiConfig config) {
    if (stopping || ended != loop || ended.handedOver() || ended.status().state() != RunState.FAILED) {
      return;
    }
    EventBus bus = vertx.eventBus();
    lastError = String.valueOf(ended.failure());
    long delay = policy.onFailure(System.currentTimeMillis());
    if (delay < 0) {
      gaveUp = true;
      bus.publish(Addresses.EVENTS, Event.error("agent-gave-up", "the agent crashed " + policy.recentFailures()
          + " times within " + AgentOptions.from(config).restart().windowS() + " s; it stays down, actuators neutral. "
          + "Last error: " + lastError + ". Restart the process (run --resume latest) once the cause is fixed"));
      return;
    }
    restarting = true;
    bus.publish(Addresses.EVENTS, Event.warn("agent-restart", "the agent crashed (" + lastError + "); actuators are "
        + "neutral; starting it again in " + delay + " ms from the newest snapshots with a zero hidden state "
        + "(failure " + policy.recentFailures() + " of at most " + AgentOptions.from(config).restart().budget() + " per "
        + AgentOptions.from(config).restart().windowS() + " s)"));
    AgentStatus before = ended.status();
    vertx.setTimer(Math.max(1, delay), t -> {
      if (stopping) {
        restarting = false;
        return;
      }
      // counters go on; the forward model's hidden state starts again from zero (it came from the crashed brain)
      AgentState from = new AgentState(before.ticks(), before.noFrameTicks(), before.staleTicks(),
          before.missedTicks(), null);
      LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
      AgentLoop next = newLoop(config, params, bus, from, false);
      if (operatorPaused) {
        next.command("pause", 0); // queued before its first tick: it comes back paused, as it crashed
      }
      loop = next;
      restarts++;
      new Thread(next, "ami-agent").start();
      Future.fromCompletionStage(next.ready(), context).onComplete(r -> {
        restarting = false;
        if (r.failed()) {
          ended(next, config); // counts as another crash
          return;
        }
        prepareAll(bus);
        bus.publish(Addresses.EVENTS, Event.info("agent-restarted", "the agent ticks again (restart " + restarts
            + "); hidden state reset"));
        supervise(next, config);
      });
    });
  }

  /** The agent's shared addresses and timers: only the agent that ticks has them. */
  private void goLive(AmiConfig config) {
    EventBus bus = vertx.eventBus();
    supervise(loop, config);
    live.add(bus.<ControlCommand>consumer(Addresses.AGENT_CONTROL,
        msg -> LoopControl.answer(msg, this::status, c -> loop.command(c.cmd(), c.n()).thenApply(s -> {
          if (c.cmd().equals("pause") || c.cmd().equals("step")) {
            operatorPaused = true;
          } else if (c.cmd().equals("resume")) {
            operatorPaused = false;
          }
          return s;
        }))));
    live.add(bus.<Object>consumer(Addresses.AGENT_STATE, msg -> loop.capture().whenComplete((state, err) -> {
      if (err == null) {
        msg.reply(state);
      } else {
        msg.fail(500, "the agent's state could not be taken: " + err.getMessage());
      }
    })));
    SourceWatch watch = new SourceWatch(env.frames(), e -> bus.publish(Addresses.EVENTS, e));
    timers.add(vertx.setPeriodic(SOURCE_CHECK_MS, t -> watch.check()));
    if (env.exploration() != null) {
      timers.add(vertx.setPeriodic(WORLD_REPORT_MS,
          t -> bus.publish(Addresses.TELEMETRY_WORLD, env.exploration().report())));
    }
    LOG.info("agent ticking at {} Hz on env={} with the {} agent ({})", AgentOptions.from(config).hz(), env.name(),
        RunOptions.from(config).kind(), String.join(", ", loop.followers().stream().map(ParamFollower::key).toList()));
  }

  /** A redeploy: stop at the next tick boundary, give up the shared addresses, answer with the handover. */
  private void giveOver(Message<Object> msg) {
    Future.fromCompletionStage(loop.handOver(), context).onComplete(r -> {
      if (r.failed()) {
        msg.fail(500, "the agent could not hand over: " + r.cause().getMessage());
        return;
      }
      live.forEach(MessageConsumer::unregister);
      live.clear();
      timers.forEach(vertx::cancelTimer);
      timers.clear();
      msg.reply(r.result());
    });
  }

  /** A redeploy: this standby agent takes over and answers with the deadline of its first tick. */
  /**
   * A redeploy whose new agent could not take over gives the handover back: this agent, which handed over, ticks
   * again from it (counters and hidden state), on the world it never let go of. Answers with the tick it goes on
   * from; fails when this agent did not hand over.
   */
  private void takeBack(Message<AgentHandover> msg, AmiConfig config) {
    if (!loop.handedOver() || stopping) {
      msg.fail(409, "this agent did not hand over; nothing to take back");
      return;
    }
    EventBus bus = vertx.eventBus();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    AgentLoop next = newLoop(config, params, bus, msg.body().state(), false);
    operatorPaused = msg.body().paused();
    if (operatorPaused) {
      next.command("pause", 0); // queued before its first tick: a paused agent stays paused
    }
    loop = next;
    new Thread(next, "ami-agent").start();
    Future.fromCompletionStage(next.ready(), context).onComplete(r -> {
      if (r.failed()) {
        msg.fail(500, "the previous agent could not start again: " + r.cause().getMessage());
        return;
      }
      prepareAll(bus);
      goLive(config);
      msg.reply(msg.body().state().ticks());
    });
  }

  private void takeOver(Message<AgentHandover> msg, AmiConfig config) {
    Future.fromCompletionStage(loop.takeOver(msg.body()), context).onComplete(r -> {
      if (r.failed()) {
        msg.fail(500, "the new agent could not take over: " + r.cause().getMessage());
        return;
      }
      standby = false; // the world is this agent's now: it closes it when it stops for good
      goLive(config);
      msg.reply(r.result());
    });
  }

  /** Copies any newer snapshot into the idle copy of its model; a misfit one is refused, the agent keeps its own. */
  private void prepareAll(EventBus bus) {
    for (ParamFollower follower : loop.followers()) {
      try {
        follower.prepare();
      } catch (RuntimeException e) {
        if (standby && config().getBoolean(TRAINER_FOLLOWS, false)) {
          LOG.debug("parameter snapshot of the outgoing trainer rejected: {}", e.getMessage());
          continue;
        }
        LOG.warn("parameter snapshot rejected: {}", e.getMessage());
        bus.publish(Addresses.EVENTS, Event.error("params-rejected", e.getMessage()));
      }
    }
  }

  /**
   * The loop's outputs onto the bus. Frames go to the console at {@code frameHz}; with {@code record} every frame
   * also goes to the recorder, locally (the record holds the frame's own array: nothing is copied on the tick).
   */
  private static final io.vertx.core.eventbus.DeliveryOptions LOCAL_ONLY =
      new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

  private static AgentLoop.Sink busSink(EventBus bus, double frameHz, boolean record) {
    long framePeriodNanos = frameHz <= 0 ? Long.MAX_VALUE : Math.round(1e9 / frameHz);
    return new AgentLoop.Sink() {
      private long lastFrameNanos = System.nanoTime() - framePeriodNanos;

      @Override
      public void observation(long tick, Frame frame, Action action, float[] predicted, Map<String, Long> versions) {
        long now = System.nanoTime();
        boolean share = framePeriodNanos != Long.MAX_VALUE && now - lastFrameNanos >= framePeriodNanos;
        if (!share && !record) {
          return;
        }
        ObservationRecord r = new ObservationRecord(tick, frame.chw(), frame.height(), frame.width(), action.index(),
            predicted, versions.getOrDefault(ModelKeys.VAE, 0L), System.currentTimeMillis());
        if (share) {
          lastFrameNanos = now;
          bus.publish(Addresses.TELEMETRY_FRAME, r);
        }
        if (record) {
          bus.publish(Addresses.RECORD_FRAME, r, LOCAL_ONLY);
        }
      }

      @Override
      public void step(StepRecord s) {
        bus.publish(Addresses.TRANSITIONS, s);
      }

      @Override
      public void tick(TickRecord r) {
        bus.publish(Addresses.TELEMETRY_TICK, r);
      }

      @Override
      public void event(Event e) {
        bus.publish(Addresses.EVENTS, e);
      }
    };
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Promise<Void> stopped = Promise.promise();
    if (loop == null) {
      closeEnv();
      return Future.succeededFuture();
    }
    // an agent that handed over, or a standby one that never took over, leaves the world to the agent that ticks
    boolean ownsWorld = !loop.handedOver() && loop.status().state() != RunState.STANDBY;
    long bound = SystemOptions.from(AmiConfig.of(config())).stopTimeoutMs();
    loop.command("stop", 0);
    loop.finished().orTimeout(bound, TimeUnit.MILLISECONDS).whenComplete((v, t) -> {
      if (t != null) {
        LOG.warn("the agent loop did not stop within {} ms; closing its environment anyway (actuators neutral)", bound);
      }
      if (ownsWorld) {
        closeEnv();
      }
      stopped.complete();
    });
    return stopped.future().onSuccess(v -> LOG.info(ownsWorld ? "agent stopped; actuators neutral"
        : "agent stopped; the agent that took over drives the actuators"));
  }

  /** Closes the environment unless another agent drives it (a standby one never owns it). */
  private void closeEnv() {
    if (env != null && !standby) {
      Handovers.of(vertx).releaseEnvironment(env);
      env.close();
    }
  }
}
