package dev.ami.agent;

import dev.ami.bus.Addresses;
import dev.ami.bus.AgentState;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.Event;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.ObservationRecord;
import dev.ami.bus.StepRecord;
import dev.ami.bus.TickRecord;
import dev.ami.config.AmiConfig;
import dev.ami.control.LoopControl;
import dev.ami.env.Action;
import dev.ami.env.Environment;
import dev.ami.env.Frame;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ModelSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamFollower;
import dev.ami.params.ParamSnapshot;
import dev.ami.system.CpuPlan;
import dev.ami.world.Environments;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.shareddata.LocalMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the agent: builds its environment, runs {@link AgentLoop} on a thread it owns, and connects the
 * loop to the event bus. Deployed as a worker so parameter preparation may block its context.
 */
public final class AgentVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentVerticle.class);
  private static final long SOURCE_CHECK_MS = 250;
  private static final long WORLD_REPORT_MS = 1000;

  private AgentLoop loop;
  private Environment env;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    EventBus bus = vertx.eventBus();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    AgentState resume = (AgentState) vertx.sharedData().getLocalMap(Addresses.RESUME_MAP).remove(Addresses.RESUME_AGENT);
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
      loop = new AgentLoop(env, new TickScheduler(config.getInt("agent.hz"), config.getDouble("agent.spin_ms")),
          busSink(bus, config.getDouble("telemetry.frame_hz")), brain(config, params),
          () -> CpuPlan.of(config.getBool("system.isolate_cpus")).enterAgentThread(config.getBool("agent.realtime")),
          resume);
      new Thread(loop, "ami-agent").start();
      return Future.fromCompletionStage(loop.ready())
          .onFailure(err -> closeEnv()); // the models failed to build: no socket or hook may outlive them
    }).map(v -> {
      bus.<Object>consumer(Addresses.PARAMS_PUBLISHED, m -> prepareAll(bus));
      bus.<ControlCommand>consumer(Addresses.AGENT_CONTROL,
          msg -> LoopControl.answer(msg, loop::status, c -> loop.command(c.cmd(), c.n())));
      bus.<Object>consumer(Addresses.AGENT_STATE, msg -> loop.capture().whenComplete((state, err) -> {
        if (err == null) {
          msg.reply(state);
        } else {
          msg.fail(500, "the agent's state could not be taken: " + err.getMessage());
        }
      }));
      prepareAll(bus); // snapshots may already be there after a redeploy
      SourceWatch watch = new SourceWatch(env.frames(), e -> bus.publish(Addresses.EVENTS, e));
      vertx.setPeriodic(SOURCE_CHECK_MS, t -> watch.check());
      if (env.exploration() != null) {
        vertx.setPeriodic(WORLD_REPORT_MS, t -> bus.publish(Addresses.TELEMETRY_WORLD, env.exploration().report()));
      }
      LOG.info("agent ticking at {} Hz on env={} with the {} agent ({})", config.getInt("agent.hz"), env.name(),
          config.getString("model.kind"), String.join(", ", loop.followers().stream().map(ParamFollower::key).toList()));
      return null;
    });
  }

  /** The brain the config asks for; built later, on the agent's own thread. */
  private static Supplier<Brain> brain(AmiConfig config, LocalMap<String, ParamSnapshot> params) {
    long seed = config.getLong("agent.seed");
    if (config.getString("model.kind").equals("autoencoder")) {
      return () -> new AutoencoderBrain(ModelSpec.from(config), seed, params);
    }
    return () -> new CuriosityBrain(VaeSpec.from(config), DynamicsSpec.from(config), PolicySpec.from(config),
        RewardOptions.from(config), seed, params);
  }

  /** Copies any newer snapshot into the idle copy of its model; a misfit one is refused, the agent keeps its own. */
  private void prepareAll(EventBus bus) {
    for (ParamFollower follower : loop.followers()) {
      try {
        follower.prepare();
      } catch (RuntimeException e) {
        LOG.warn("parameter snapshot rejected: {}", e.getMessage());
        bus.publish(Addresses.EVENTS, Event.error("params-rejected", e.getMessage()));
      }
    }
  }

  private static AgentLoop.Sink busSink(EventBus bus, double frameHz) {
    long framePeriodNanos = frameHz <= 0 ? Long.MAX_VALUE : Math.round(1e9 / frameHz);
    return new AgentLoop.Sink() {
      private long lastFrameNanos = System.nanoTime() - framePeriodNanos;

      @Override
      public void observation(long tick, Frame frame, Action action, float[] predicted, Map<String, Long> versions) {
        long now = System.nanoTime();
        if (framePeriodNanos != Long.MAX_VALUE && now - lastFrameNanos >= framePeriodNanos) {
          lastFrameNanos = now;
          bus.publish(Addresses.TELEMETRY_FRAME, new ObservationRecord(tick, frame.chw(), frame.height(),
              frame.width(), action.index(), predicted, versions.getOrDefault(ModelKeys.VAE, 0L),
              System.currentTimeMillis()));
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
    Promise<Void> stopped = Promise.promise();
    if (loop == null) {
      closeEnv();
      return Future.succeededFuture();
    }
    long bound = AmiConfig.of(config()).getInt("system.stop_timeout_ms");
    loop.command("stop", 0);
    loop.finished().orTimeout(bound, TimeUnit.MILLISECONDS).whenComplete((v, t) -> {
      if (t != null) {
        LOG.warn("the agent loop did not stop within {} ms; closing its environment anyway (actuators neutral)", bound);
      }
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
