package dev.ami.training;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.Event;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.TrainRecord;
import dev.ami.bus.Transition;
import dev.ami.config.AmiConfig;
import dev.ami.control.LoopControl;
import dev.ami.model.ModelSpec;
import dev.ami.params.ParamPublisher;
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
 * Deploys the trainer: a replay buffer fed from the bus and {@link TrainerLoop} on a thread it owns.
 * All DJL training happens on that one thread.
 */
public final class TrainerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerVerticle.class);
  public static final String PARAMS_KEY = "ae";

  private TrainerLoop loop;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    ModelSpec spec = ModelSpec.from(config);
    EventBus bus = vertx.eventBus();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    ReplayBuffer replay = new ReplayBuffer(config.getInt("trainer.replay_capacity"), config.getLong("trainer.seed"));
    ParamSnapshot existing = params.get(PARAMS_KEY);
    long startVersion = existing == null ? 0 : existing.version(); // versions stay monotonic across redeploys
    loop = new TrainerLoop(
        () -> {
          CpuPlan.of(config.getBool("system.isolate_cpus")).enterTrainerThread();
          return new AeTrainer(spec, config.getInt("trainer.batch"), config.getDouble("trainer.lr"),
              config.getLong("trainer.seed"));
        },
        replay,
        () -> new ParamPublisher(PARAMS_KEY, params, startVersion),
        new TrainerLoop.Settings(config.getInt("trainer.min_replay"), config.getInt("trainer.min_new_samples"),
            config.getInt("trainer.publish_every"), config.getInt("trainer.max_bad_losses")),
        busSink(bus));
    bus.<Transition>consumer(Addresses.TRANSITIONS, m -> replay.add(m.body()));
    bus.<ControlCommand>consumer(Addresses.TRAINER_CONTROL,
        msg -> LoopControl.answer(msg, loop::status, c -> loop.command(c.cmd())));
    Thread thread = new Thread(loop, "ami-trainer");
    thread.start();
    return Future.fromCompletionStage(loop.ready())
        .onSuccess(v -> LOG.info("trainer running: batch {}, publish every {} steps",
            config.getInt("trainer.batch"), config.getInt("trainer.publish_every")));
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
      public void event(Event e) {
        bus.publish(Addresses.EVENTS, e);
      }
    };
  }

  @Override
  public Future<?> stop() {
    Promise<Void> stopped = Promise.promise();
    loop.command("stop");
    loop.finished().whenComplete((v, t) -> {
      // snapshots in the map stay readable for the agent; their memory is freed by their last reader
      stopped.complete();
    });
    return stopped.future().onSuccess(v -> LOG.info("trainer stopped"));
  }
}
