package dev.ami.training;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.PpoUpdate;
import dev.ami.bus.RunState;
import dev.ami.bus.StepRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.config.AmiConfig;
import dev.ami.config.SystemOptions;
import dev.ami.config.TrainingOptions;
import dev.ami.control.LoopControl;
import dev.ami.control.RestartPolicy;
import dev.ami.data.Buffers;
import dev.ami.handover.Handovers;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.TrainerState;
import dev.ami.system.CpuPlan;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the trainers: the buffers fed from the agent's steps, and {@link TrainerLoop} on a thread it owns
 * running every model's trainer round-robin. All DJL training happens on that one thread.
 *
 * <p>It supervises the loop: a loop that crashes is started again after a backoff (it resumes each model from
 * its newest snapshot), until more than {@code trainer.restart_budget} crashes fall inside
 * {@code trainer.restart_window_s}; then it stays failed with the last error. The agent never waits for any of it.
 */
public final class TrainerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerVerticle.class);

  /** Builds the trainers a config asks for, on the training thread; tests wrap the default one. */
  @FunctionalInterface
  public interface TrainerFactory {
    List<ModelTrainer> build(AmiConfig config, Buffers buffers, LocalMap<String, ParamSnapshot> params);
  }

  private final TrainerCatalogue catalogue;
  private volatile TrainerLoop loop;
  private volatile boolean restarting;
  private volatile boolean gaveUp;
  private volatile int restarts;
  private volatile String lastError;
  private volatile boolean paused;
  private volatile boolean stopping;
  private RestartPolicy policy;
  private Buffers buffers;
  private final AtomicReference<TrainerState> pendingResume = new AtomicReference<>();

  /** @param catalogue the buffers and trainers each config asks for (the agent kinds') */
  public TrainerVerticle(TrainerCatalogue catalogue) {
    this.catalogue = catalogue;
  }

  /** Deployment-config flag (not a user key): build the trainers, then wait for the go of a redeploy. */
  public static final String STANDBY = "ami.standby";
  /** Deployment config key: the first loop starts every model from new random weights (a redeploy asked). */
  public static final String FRESH = "ami.fresh";
  private boolean freshOnce;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    boolean standby = config().getBoolean(STANDBY, false);
    freshOnce = config().getBoolean(FRESH, false);
    EventBus bus = vertx.eventBus();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    policy = RestartPolicy.of(TrainingOptions.from(config).restart());
    TrainerState resume = Handovers.of(vertx).takeResumeTrainer();
    buffers = buffers(config, !standby); // a standby trainer shows its buffers only when it goes
    TrainerLoop first = launch(config, buffers, params, bus, resume, standby);
    pendingResume.set(resume);
    first.finished().whenComplete((v, t) -> closeResume()); // never taken up
    if (!standby) {
      first.ready().whenComplete((v, t) -> closeResume()); // copied in place by then
    }
    return Future.fromCompletionStage(first.ready(), context).onSuccess(v -> {
      if (standby) {
        bus.<ControlCommand>consumer(Addresses.TRAINER_GO_PREFIX + deploymentID(), msg -> go(msg, config));
        LOG.info("new trainers built ({}); standing by", names(first));
      } else {
        goLive(config);
        LOG.info("trainers running round-robin ({} ms slices): {}", TrainingOptions.from(config).sliceMs(), names(first));
      }
    });
  }

  /** Frees the checkpoint state a loop started from, once: after it was copied in, or when it was never used. */
  private void closeResume() {
    TrainerState s = pendingResume.getAndSet(null);
    if (s != null) {
      s.close();
    }
  }

  private static String names(TrainerLoop l) {
    return String.join(", ", l.status().models().stream().map(ModelStatus::key).toList());
  }

  /** A redeploy's go: the trainer it replaces has stopped; take the buffers and the bus, start training. */
  private void go(Message<ControlCommand> msg, AmiConfig config) {
    Handovers.of(vertx).buffers(buffers);
    paused = msg.body().n() == 1;
    Future.fromCompletionStage(loop.go(paused), context).onComplete(r -> {
      closeResume();
      if (r.failed()) {
        msg.fail(500, "the new trainer could not start: " + r.cause().getMessage());
        return;
      }
      goLive(config);
      LOG.info("trainers running round-robin ({} ms slices): {}", TrainingOptions.from(config).sliceMs(), names(loop));
      msg.reply(ControlReply.ok(r.result().state(), status().toJson()));
    });
  }

  /** The trainer's shared addresses: only the trainer that trains has them. */
  private void goLive(AmiConfig config) {
    EventBus bus = vertx.eventBus();
    bus.<StepRecord>consumer(Addresses.TRANSITIONS, m -> accept(buffers, m.body(), bus));
    bus.<ControlCommand>consumer(Addresses.TRAINER_CONTROL, msg -> LoopControl.answer(msg, this::status, c -> {
      if (c.cmd().equals("pause") || c.cmd().equals("resume")) {
        paused = c.cmd().equals("pause"); // a loop started after a crash takes this up
      }
      return loop.command(c.cmd(), c.n()).thenApply(s -> status());
    }));
    bus.<Object>consumer(Addresses.TRAINER_STATE, msg -> loop.capture().whenComplete((state, err) -> {
      if (err == null) {
        msg.reply(state);
      } else {
        msg.fail(500, "the trainer's state could not be taken: " + err.getMessage());
      }
    }));
  }

  private TrainerLoop launch(AmiConfig config, Buffers buffers, LocalMap<String, ParamSnapshot> params,
                             EventBus bus) {
    return launch(config, buffers, params, bus, null, false);
  }

  private TrainerLoop launch(AmiConfig config, Buffers buffers, LocalMap<String, ParamSnapshot> params,
                             EventBus bus, TrainerState resume, boolean standby) {
    TrainerLoop next = new TrainerLoop(
        () -> {
          CpuPlan.of(SystemOptions.from(config).isolateCpus())
              .enterTrainerThread(SystemOptions.from(config).trainerIdle());
          return catalogue.trainers(config, buffers, params);
        },
        key -> {
          ParamSnapshot existing = params.get(key);
          return new ParamPublisher(key, params, existing == null ? 0 : existing.version()); // versions only grow
        },
        new TrainerLoop.Settings(TrainingOptions.from(config).sliceMs() * 1_000_000L, TrainingOptions.from(config).maxBadLosses(),
            freshOnce),
        busSink(bus), resume, standby);
    freshOnce = false; // a restart after a crash resumes from the snapshots again
    loop = next;
    next.finished().whenComplete((v, t) -> vertx.runOnContext(x -> ended(next, config, buffers, params, bus)));
    new Thread(next, "ami-trainer").start();
    if (paused) {
      next.command("pause", 0);
    }
    return next;
  }

  /** The loop ended: a stop was asked for, or it crashed and is started again after a backoff, within budget. */
  private void ended(TrainerLoop ended, AmiConfig config, Buffers buffers, LocalMap<String, ParamSnapshot> params,
                     EventBus bus) {
    if (stopping || ended.status().state() != RunState.FAILED || ended != loop || !ended.ready().isDone()) {
      return;
    }
    if (ended.ready().isCompletedExceptionally() && restarts == 0) {
      return; // never started: the deployment itself fails and says why
    }
    lastError = String.valueOf(ended.failure());
    long delay = policy.onFailure(System.currentTimeMillis());
    if (delay < 0) {
      gaveUp = true;
      bus.publish(Addresses.EVENTS, Event.error("trainer-gave-up", "the trainer crashed "
          + policy.recentFailures() + " times within " + TrainingOptions.from(config).restart().windowS()
          + " s; it stays down. Last error: " + lastError));
      return;
    }
    restarting = true;
    bus.publish(Addresses.EVENTS, Event.warn("trainer-restart", "the trainer crashed (" + lastError
        + "); starting it again in " + delay + " ms, from each model's newest snapshot (failure "
        + policy.recentFailures() + " of at most " + TrainingOptions.from(config).restart().budget() + " per "
        + TrainingOptions.from(config).restart().windowS() + " s)"));
    vertx.setTimer(Math.max(1, delay), t -> {
      restarting = false;
      if (!stopping) {
        restarts++;
        launch(config, buffers, params, bus);
      }
    });
  }

  /** The loop's own status, seen through the supervisor: restarting while it waits, failed once it gave up. */
  TrainerStatus status() {
    TrainerStatus s = loop.status();
    RunState state = restarting ? RunState.RESTARTING : gaveUp ? RunState.FAILED : s.state();
    return s.supervised(state, restarts, lastError);
  }

  /**
   * The buffers of an earlier deployment when they fit this config, else new ones, put in the data map when
   * {@code show} (a standby trainer's stay out of it until it goes: the trainer it replaces still fills its own).
   */
  private Buffers buffers(AmiConfig config, boolean show) {
    Handovers handovers = Handovers.of(vertx);
    Buffers existing = handovers.buffers();
    if (existing != null && existing.layout().equals(catalogue.bufferLayout(config))) {
      return existing;
    }
    Buffers fresh = catalogue.buffers(config);
    if (show) {
      handovers.buffers(fresh);
    }
    return fresh;
  }

  private static void accept(Buffers buffers, StepRecord step, EventBus bus) {
    long before = buffers.refused();
    buffers.accept(step);
    if (buffers.refused() != before && Long.bitCount(buffers.refused()) == 1) { // 1st, 2nd, 4th, 8th, ...
      bus.publish(Addresses.EVENTS, Event.error("step-refused", buffers.refused() + " steps refused so far: "
          + buffers.lastRefusal()));
    }
  }

  private static TrainerLoop.Sink busSink(EventBus bus) {
    return new TrainerLoop.Sink() {
      @Override
      public void published(ParamsPublished p) {
        bus.publish(Addresses.PARAMS_PUBLISHED, p);
      }

      @Override
      public void step(TrainRecord r) {
        bus.publish(Addresses.TELEMETRY_TRAIN, r);
      }

      @Override
      public void ppo(PpoUpdate u) {
        bus.publish(Addresses.TELEMETRY_PPO, u);
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
    long bound = SystemOptions.from(AmiConfig.of(config())).stopTimeoutMs();
    loop.command("stop", 0);
    // snapshots in the map stay readable for the agent; their memory is freed by their last reader
    loop.finished().orTimeout(bound, TimeUnit.MILLISECONDS).whenComplete((v, t) -> {
      if (t != null) {
        LOG.warn("the trainer did not stop within {} ms (a step still running?); going on without it", bound);
      }
      stopped.complete();
    });
    return stopped.future().onSuccess(v -> LOG.info("trainer stopped"));
  }
}
