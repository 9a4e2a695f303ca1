package dev.ami.training;

import dev.ami.bus.Addresses;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.Event;
import dev.ami.bus.ModelKeys;
import dev.ami.bus.ParamsPublished;
import dev.ami.bus.StepRecord;
import dev.ami.bus.TrainRecord;
import dev.ami.config.AmiConfig;
import dev.ami.control.LoopControl;
import dev.ami.data.Buffers;
import dev.ami.model.DynamicsSpec;
import dev.ami.model.ModelSpec;
import dev.ami.model.PolicySpec;
import dev.ami.model.VaeSpec;
import dev.ami.params.ParamPublisher;
import dev.ami.params.ParamSnapshot;
import dev.ami.system.CpuPlan;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.shareddata.LocalMap;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys the trainers: the buffers fed from the agent's steps, and {@link TrainerLoop} on a thread it owns
 * running every model's trainer round-robin. All DJL training happens on that one thread.
 */
public final class TrainerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerVerticle.class);

  private TrainerLoop loop;

  @Override
  public Future<?> start() {
    AmiConfig config = AmiConfig.of(config());
    EventBus bus = vertx.eventBus();
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    Buffers buffers = buffers(config);
    loop = new TrainerLoop(
        () -> {
          CpuPlan.of(config.getBool("system.isolate_cpus")).enterTrainerThread();
          return trainers(config, buffers, params).get();
        },
        key -> {
          ParamSnapshot existing = params.get(key);
          return new ParamPublisher(key, params, existing == null ? 0 : existing.version()); // versions only grow
        },
        new TrainerLoop.Settings(config.getInt("trainer.slice_ms") * 1_000_000L, config.getInt("trainer.max_bad_losses")),
        busSink(bus));
    bus.<StepRecord>consumer(Addresses.TRANSITIONS, m -> accept(buffers, m.body(), bus));
    bus.<ControlCommand>consumer(Addresses.TRAINER_CONTROL,
        msg -> LoopControl.answer(msg, loop::status, c -> loop.command(c.cmd(), c.n())));
    new Thread(loop, "ami-trainer").start();
    return Future.fromCompletionStage(loop.ready())
        .onSuccess(v -> LOG.info("trainers running round-robin ({} ms slices): {}", config.getInt("trainer.slice_ms"),
            String.join(", ", loop.status().models().stream().map(ModelStatus::key).toList())));
  }

  /** The buffers of an earlier deployment when they fit this config, else new ones. */
  private Buffers buffers(AmiConfig config) {
    LocalMap<String, Buffers> data = vertx.sharedData().getLocalMap(Addresses.DATA_MAP);
    Buffers existing = data.get(Addresses.BUFFERS_KEY);
    if (existing != null && existing.layout().equals(Buffers.layout(config))) {
      return existing;
    }
    Buffers fresh = Buffers.of(config);
    data.put(Addresses.BUFFERS_KEY, fresh);
    return fresh;
  }

  /** The trainers the config's agent needs, in round-robin order (ami's: VAE, forward dynamics, PPO). */
  static Supplier<List<ModelTrainer>> trainers(AmiConfig c, Buffers buffers, LocalMap<String, ParamSnapshot> params) {
    long seed = c.getLong("trainer.seed");
    if (c.getString("model.kind").equals("autoencoder")) {
      TrainerOptions ae = new TrainerOptions(c.getInt("ae.batch"), c.getDouble("ae.lr"), 0, 1, c.getInt("ae.buffer"),
          c.getInt("ae.min_buffer"), c.getInt("ae.min_new"), c.getInt("ae.publish_every"));
      return () -> List.of(new AeTrainer(ModelSpec.from(c), ae, buffers.frames(), seed));
    }
    VaeSpec vae = VaeSpec.from(c);
    return () -> List.of(
        new VaeTrainer(vae, TrainerOptions.from(c, ModelKeys.VAE, c.getInt("vae.batch")), c.getDouble("vae.kl_weight"),
            buffers.frames(), seed),
        new DynamicsTrainer(DynamicsSpec.from(c), vae, TrainerOptions.from(c, ModelKeys.FD, 1), c.getInt("fd.window"),
            c.getInt("fd.windows_per_epoch"), buffers.steps(), () -> params.get(ModelKeys.VAE), seed + 1),
        new PpoTrainer(PolicySpec.from(c), PpoOptions.from(c), buffers.rollouts(), seed + 2));
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
      public void event(Event e) {
        bus.publish(Addresses.EVENTS, e);
      }
    };
  }

  @Override
  public Future<?> stop() {
    Promise<Void> stopped = Promise.promise();
    loop.command("stop", 0);
    // snapshots in the map stay readable for the agent; their memory is freed by their last reader
    loop.finished().whenComplete((v, t) -> stopped.complete());
    return stopped.future().onSuccess(v -> LOG.info("trainer stopped"));
  }
}
