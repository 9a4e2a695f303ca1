package dev.ami.agent;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.Event;
import dev.ami.bus.TickRecord;
import dev.ami.bus.Transition;
import dev.ami.config.AmiConfig;
import dev.ami.control.LoopControl;
import dev.ami.bus.ObservationRecord;
import dev.ami.env.Action;
import dev.ami.env.Environment;
import dev.ami.env.Frame;
import dev.ami.env.Environments;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamSnapshot;
import dev.ami.system.CpuPlan;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.shareddata.LocalMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the agent: builds its environment, runs {@link AgentLoop} on a thread it owns, and connects the
 * loop to the event bus. Deployed as a worker so parameter preparation may block its context.
 */
public final class AgentVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);
  /** The model key in the params map and the group the agent runs. */
  public static final String PARAMS_KEY = "ae";
  public static final String PARAMS_GROUP = "encoder";
  private static final long SOURCE_CHECK_MS = 250;

  private AgentLoop loop;
  private Environment env;
  private Thread thread;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    ModelSpec spec = ModelSpec.from(config);
    EventBus bus = vertx.eventBus();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    return vertx.executeBlocking(() -> {
      env = Environments.create(config);
      try {
        env.frames().start();
      } catch (Exception e) {
        closeEnv(); // the actuator's socket and shutdown hook must not outlive a failed start
        throw e;
      }
      return env;
    }).compose(e -> {
      loop = new AgentLoop(spec, env, new RandomPolicy(config.getLong("agent.seed")),
          new TickScheduler(config.getInt("agent.hz"), config.getDouble("agent.spin_ms")),
          busSink(bus, config.getDouble("telemetry.frame_hz")),
          InferenceModel::new, () -> CpuPlan.of(config.getBool("system.isolate_cpus"))
              .enterAgentThread(config.getBool("agent.realtime")));
      thread = new Thread(loop, "ami-agent");
      thread.start();
      return Future.fromCompletionStage(loop.ready())
          .onFailure(err -> closeEnv()); // the model failed to build: no socket or hook may outlive it
    }).map(model -> {
      ParamFollower follower = new ParamFollower(PARAMS_KEY, PARAMS_GROUP, params, model.buffer(0),
          model.buffer(1));
      loop.follow(follower);
      bus.<Object>consumer(Addresses.PARAMS_PUBLISHED, m -> prepare(follower, bus));
      bus.<ControlCommand>consumer(Addresses.AGENT_CONTROL,
          msg -> LoopControl.answer(msg, loop::status, c -> loop.command(c.cmd(), c.n())));
      prepare(follower, bus); // a snapshot may already be there after a redeploy
      SourceWatch watch = new SourceWatch(env.frames(), e -> bus.publish(Addresses.EVENTS, e));
      vertx.setPeriodic(SOURCE_CHECK_MS, t -> watch.check());
      LOG.info("agent ticking at {} Hz on env={}", config.getInt("agent.hz"), env.name());
      return null;
    });
  }

  private void prepare(ParamFollower follower, EventBus bus) {
    try {
      follower.prepare();
    } catch (RuntimeException e) {
      LOG.warn("parameter snapshot rejected: {}", e.getMessage());
      bus.publish(Addresses.EVENTS, Event.error("params-rejected", e.getMessage()));
    }
  }

  private static AgentLoop.Sink busSink(EventBus bus, double frameHz) {
    long framePeriodNanos = frameHz <= 0 ? Long.MAX_VALUE : Math.round(1e9 / frameHz);
    return new AgentLoop.Sink() {
      private long lastFrameNanos = System.nanoTime() - framePeriodNanos;

      @Override
      public void observation(long tick, Frame frame, Action action) {
        long now = System.nanoTime();
        if (framePeriodNanos != Long.MAX_VALUE && now - lastFrameNanos >= framePeriodNanos) {
          lastFrameNanos = now;
          bus.publish(Addresses.TELEMETRY_FRAME, new ObservationRecord(tick, frame.chw(), frame.height(),
              frame.width(), action.index(), System.currentTimeMillis()));
        }
      }

      @Override
      public void transition(Transition t) {
        bus.publish(Addresses.TRANSITIONS, t);
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
    Promise<Void> stopped = Promise.promise();
    if (loop == null) {
      closeEnv();
      return Future.succeededFuture();
    }
    loop.command("stop", 0);
    loop.finished().whenComplete((v, t) -> {
      closeEnv();
      stopped.complete();
    });
    return stopped.future().onSuccess(v -> LOG.info("agent stopped; actuators neutral"));
  }

  private void closeEnv() {
    if (env != null) {
      env.close();
    }
  }
}
