package dev.ami.checkpoint;

import dev.ami.bus.Addresses;
import dev.ami.bus.AgentState;
import dev.ami.bus.CheckpointRecord;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.RunState;
import dev.ami.bus.TrainerState;
import dev.ami.config.AmiConfig;
import dev.ami.data.Buffers;
import dev.ami.data.Saved;
import dev.ami.runs.RunFolder;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes checkpoints into the run folder's {@code states/}: on {@link Addresses#CHECKPOINT} (operator, shutdown)
 * and every {@code checkpoint.interval}. It asks the agent for its state (taken between two ticks) and the trainer
 * for every model's (taken between two steps), then serialises and writes on a thread of its own, so neither ever
 * waits for the disk. One checkpoint at a time: an operator's request while one is being written is refused; the
 * shutdown's waits for it, then writes the final one. A process without a run folder (the benchmarks) takes none.
 */
public final class CheckpointVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointVerticle.class);
  private static final DeliveryOptions AGENT_ASK = new DeliveryOptions().setSendTimeout(10_000);
  private static final DeliveryOptions TRAINER_ASK = new DeliveryOptions().setSendTimeout(30_000);

  private CheckpointOptions options;
  private Path states; // null: no run folder, no checkpoints
  private CheckpointWriter writer;
  private ExecutorService writerThread;
  private long inFlightSince = -1; // event-loop confined, like inFlight
  private Future<CheckpointRecord> inFlight;

  @Override
  public Future<?> start() {
    options = CheckpointOptions.from(AmiConfig.of(config()));
    RunFolder run = (RunFolder) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY);
    states = run == null ? null : run.states();
    writer = states == null ? null : new CheckpointWriter(states, Clock.systemUTC());
    writerThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "ami-checkpoint");
      t.setDaemon(true);
      return t;
    });
    vertx.eventBus().<ControlCommand>consumer(Addresses.CHECKPOINT, this::onRequest);
    if (options.intervalS() > 0 && states != null) {
      vertx.setPeriodic(options.intervalS() * 1000L, t -> {
        if (inFlightSince < 0) {
          take("periodic");
        }
      });
    }
    return Future.succeededFuture();
  }

  private void onRequest(Message<ControlCommand> msg) {
    // the operator's command is "checkpoint"; the runtime asks with its own reason ("shutdown")
    String cmd = msg.body() == null ? "checkpoint" : msg.body().cmd();
    String reason = "checkpoint".equals(cmd) ? "operator" : cmd;
    Future<CheckpointRecord> taken;
    if ("shutdown".equals(reason) && inFlight != null) {
      // the last one must not be lost to a periodic one under way: wait for that (the caller bounds it), then write
      LOG.info("shutdown: waiting for the checkpoint being written (for {} ms) before the final one",
          (System.nanoTime() - inFlightSince) / 1_000_000);
      taken = inFlight.transform(previous -> take(reason));
    } else {
      taken = take(reason);
    }
    taken.onComplete(r -> {
      CheckpointRecord c = r.succeeded() ? r.result() : null;
      if (c != null && c.ok()) {
        msg.reply(ControlReply.ok(RunState.RUNNING, new JsonObject().put("path", c.path()).put("bytes", c.bytes())
            .put("ms", Math.round(c.totalMs())).put("trainer_pause_ms", c.trainerPauseMs())
            .put("write_ms", Math.round(c.writeMs())).put("reason", c.reason())));
      } else {
        msg.reply(ControlReply.error(RunState.RUNNING, c != null ? c.error() : r.cause().getMessage()));
      }
    });
  }

  /** One checkpoint; completes with its record (which says whether it failed) once written or given up. */
  Future<CheckpointRecord> take(String reason) {
    if (states == null) {
      return Future.failedFuture("this process keeps no run folder (a benchmark or soak): no checkpoints");
    }
    if (inFlightSince >= 0) {
      return Future.failedFuture("a checkpoint is already being written (for "
          + (System.nanoTime() - inFlightSince) / 1_000_000 + " ms)");
    }
    long t0 = System.nanoTime();
    inFlightSince = t0;
    EventBus bus = vertx.eventBus();
    // the models' config now: a redeploy may have changed it since this verticle was deployed
    JsonObject current = (JsonObject) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.CONFIG_KEY);
    AmiConfig config = AmiConfig.of(current != null ? current : config());
    Future<AgentState> agent = bus.<AgentState>request(Addresses.AGENT_STATE, reason, AGENT_ASK).map(Message::body)
        .recover(e -> {
          LOG.info("checkpoint without the agent's state: {}", e.getMessage());
          return Future.succeededFuture(null);
        });
    Future<CheckpointRecord> taken = agent.compose(a -> bus.<TrainerState>request(Addresses.TRAINER_STATE, reason, TRAINER_ASK)
            .map(Message::body)
            .compose(trainer -> write(new CheckpointContent(reason, savedConfig(config), ModelShapes.specs(config),
                trainer, a, buffers()))))
        .map(w -> new CheckpointRecord(reason, w.written().path().toString(), w.written().bytes(),
            (System.nanoTime() - t0) / 1e6, w.trainerPauseMs(), w.written().writeMs(), null, System.currentTimeMillis()))
        .recover(e -> Future.succeededFuture(new CheckpointRecord(reason, null, 0, (System.nanoTime() - t0) / 1e6,
            Double.NaN, Double.NaN, String.valueOf(e.getMessage()), System.currentTimeMillis())))
        .onSuccess(this::report);
    inFlight = taken;
    taken.onComplete(r -> {
      if (inFlight == taken) {
        inFlight = null;
        inFlightSince = -1;
      }
    });
    return taken;
  }

  private record Done(CheckpointWriter.Written written, double trainerPauseMs) {
  }

  /** Serialises and writes on the checkpoint thread; the trainer's state is freed there once written. */
  private Future<Done> write(CheckpointContent content) {
    CompletableFuture<Done> done = CompletableFuture.supplyAsync(() -> {
      try (TrainerState trainer = content.trainer()) {
        CheckpointWriter.Written w = writer.write(content);
        List<Path> pruned = Checkpoints.prune(states, options.keep());
        if (!pruned.isEmpty()) {
          LOG.info("checkpoints pruned (keeping the newest {}): {}", options.keep(), pruned);
        }
        return new Done(w, trainer.pauseMs());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, writerThread);
    return Future.fromCompletionStage(done, vertx.getOrCreateContext());
  }

  private Map<String, Saved> buffers() {
    return buffers(vertx, options);
  }

  /** The trainers' buffers of this process, by file name; none when {@code checkpoint.buffers} is off. */
  static Map<String, Saved> buffers(io.vertx.core.Vertx vertx, CheckpointOptions options) {
    if (!options.buffers()) {
      return Map.of();
    }
    Buffers b = (Buffers) vertx.sharedData().getLocalMap(Addresses.DATA_MAP).get(Addresses.BUFFERS_KEY);
    return b == null ? Map.of() : b.parts();
  }

  /** The resolved config as saved: the console token is a secret and stays out. */
  static JsonObject savedConfig(AmiConfig config) {
    JsonObject json = config.toJson();
    for (String key : json.fieldNames()) {
      json.put(key, dev.ami.config.Secrets.shown(key, json.getValue(key)));
    }
    return json;
  }

  private void report(CheckpointRecord c) {
    EventBus bus = vertx.eventBus();
    bus.publish(Addresses.TELEMETRY_CHECKPOINT, c);
    if (c.ok()) {
      String text = String.format("checkpoint %s: %.1f MB in %d ms (trainer paused %.1f ms, writing %d ms)",
          c.path(), c.bytes() / 1e6, Math.round(c.totalMs()), c.trainerPauseMs(), Math.round(c.writeMs()));
      LOG.info(text);
      bus.publish(Addresses.EVENTS, Event.info("checkpoint", text));
    } else {
      LOG.warn("checkpoint ({}) failed: {}", c.reason(), c.error());
      bus.publish(Addresses.EVENTS, Event.error("checkpoint-failed", "checkpoint (" + c.reason() + ") failed: "
          + c.error()));
    }
  }

  @Override
  public Future<?> stop() {
    writerThread.shutdown(); // a write in progress finishes; the JVM does not wait for this daemon
    return Future.succeededFuture();
  }
}
