package dev.ami.checkpoint;

import dev.ami.bus.Addresses;
import dev.ami.bus.CheckpointPartReply;
import dev.ami.bus.CheckpointPartRequest;
import dev.ami.bus.ControlReply;
import dev.ami.bus.RunState;
import dev.ami.config.AmiConfig;
import dev.ami.config.CheckpointOptions;
import dev.ami.data.Saved;
import dev.ami.params.TrainerState;
import dev.ami.runs.RunFolder;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer node's side of a split cluster's checkpoints: on {@link Addresses#CHECKPOINT_TRAINER_PART} it takes
 * the trainer's state (between two steps, on this node) and writes a complete checkpoint into its own run folder,
 * with the agent's state the request carries, under the name the coordinator proposed or a later one. Nothing big
 * crosses the network: the coordinator on the agent node gets back where it went and its manifest's hash. One
 * part at a time, written on a thread of its own.
 */
public final class TrainerPartVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TrainerPartVerticle.class);
  /** Local-only: the trainer's state holds native arrays and is this node's own. */
  private static final DeliveryOptions TRAINER_ASK = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);
  /** How long a stop waits for a part being written (a trainer part at full buffers writes in seconds). */
  private static final long STOP_WAIT_S = 120;

  private CheckpointOptions options;
  private Path states; // null: no run folder, no parts
  private String runId;
  private String node;
  private CheckpointWriter writer;
  private ExecutorService writerThread;
  private final long startedMillis = System.currentTimeMillis();
  private Future<CheckpointPartReply> writing; // null when idle; event-loop confined, like lastWrittenMillis
  private long lastWrittenMillis = -1;
  /** The ids of the parts this process wrote, newest last (a few): the agent may have resumed from one of them. */
  private final ArrayDeque<String> writtenIds = new ArrayDeque<>();

  @Override
  public Future<?> start() {
    options = CheckpointOptions.from(AmiConfig.of(config()));
    RunFolder run = (RunFolder) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY);
    states = run == null ? null : run.states();
    runId = run == null ? null : run.id();
    node = config().getString(CheckpointVerticle.NODE_KEY);
    writer = states == null ? null : new CheckpointWriter(states, Clock.systemUTC());
    writerThread = CheckpointWriter.thread("ami-checkpoint-part");
    vertx.eventBus().<CheckpointPartRequest>consumer(Addresses.CHECKPOINT_TRAINER_PART, this::onPart);
    vertx.eventBus().consumer(Addresses.CHECKPOINT_TRAINER_INFO, this::onInfo);
    return Future.succeededFuture();
  }

  private void onPart(Message<CheckpointPartRequest> msg) {
    CheckpointPartRequest req = msg.body();
    if (states == null) {
      msg.reply(CheckpointPartReply.failed(req.id(), node, null,
          "the trainer node keeps no run folder: no checkpoints"));
      return;
    }
    if (writing != null) {
      msg.reply(CheckpointPartReply.failed(req.id(), node, runId, "a checkpoint part is already being written"));
      return;
    }
    if (req.isStandalone() && lastWrittenMillis >= req.stampMillis()) {
      // the coordinator wrote a pair since this node's stop began: nothing more to keep
      msg.reply(new CheckpointPartReply(req.id(), null, null, 0, null, Double.NaN, Double.NaN, node, runId, null,
          System.currentTimeMillis()));
      return;
    }
    JsonObject current = (JsonObject) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.CONFIG_KEY);
    AmiConfig config = AmiConfig.of(current != null ? current : config());
    writing = vertx.eventBus().<TrainerState>request(Addresses.TRAINER_STATE, req.reason(), TRAINER_ASK)
        .map(Message::body)
        .compose(trainer -> write(req, config, trainer))
        .recover(e -> Future.succeededFuture(
            CheckpointPartReply.failed(req.id(), node, runId, String.valueOf(e.getMessage()))));
    writing.onComplete(r -> {
      writing = null;
      CheckpointPartReply reply = r.result();
      if (reply.ok()) {
        lastWrittenMillis = System.currentTimeMillis();
        if (reply.id() != null && reply.path() != null) {
          writtenIds.addLast(reply.id());
          while (writtenIds.size() > 100) {
            writtenIds.removeFirst();
          }
        }
        LOG.info("checkpoint part {} ({}) written: {} MB (trainer paused {} ms, writing {} ms)", reply.path(),
            req.reason(), String.format("%.1f", reply.bytes() / 1e6), String.format("%.1f", reply.trainerPauseMs()),
            Math.round(reply.writeMs()));
      } else {
        LOG.warn("checkpoint part ({}) failed: {}", req.reason(), reply.error());
      }
      msg.reply(reply);
    });
  }

  /** Serialises and writes on the part's thread; the trainer's state is freed there once written, or here. */
  private Future<CheckpointPartReply> write(CheckpointPartRequest req, AmiConfig config, TrainerState trainer) {
    try {
      return Future.fromCompletionStage(writeAsync(req, config, trainer), vertx.getOrCreateContext());
    } catch (RuntimeException e) { // nothing reached the part's thread (buffers, a stopped executor): free it here
      trainer.close();
      return Future.failedFuture(e);
    }
  }

  private CompletableFuture<CheckpointPartReply> writeAsync(CheckpointPartRequest req, AmiConfig config,
                                                            TrainerState trainer) {
    // a standalone part is this node's own, stamped by its own clock; a pair's is stamped by the coordinator's
    Instant stamp = req.isStandalone() ? Instant.now() : Instant.ofEpochMilli(req.stampMillis());
    String id = req.id() != null ? req.id() : UUID.randomUUID().toString();
    JsonObject parts = req.isStandalone() ? null : new JsonObject()
        .put("agent", new JsonObject().put("node", req.node()).put("run", req.run()))
        .put("trainer", new JsonObject().put("node", node).put("run", runId));
    Map<String, Saved> buffers = CheckpointVerticle.buffers(vertx, options);
    return CompletableFuture.supplyAsync(() -> {
      try (TrainerState t = trainer) {
        // the agent node proposes its next sequence; this run may be further on (it started earlier, or alone)
        String name = Checkpoints.nameOf(Math.max(req.sequence(), Checkpoints.nextSequence(states)), stamp);
        CheckpointContent content = new CheckpointContent(req.reason(), CheckpointVerticle.savedConfig(config),
            ModelShapes.specs(config), t, req.agentState(), buffers, Part.TRAINER, id, stamp, Map.of(), parts);
        CheckpointWriter.Written w = writer.write(content, name);
        List<Path> pruned = Checkpoints.prune(states, options.keep());
        if (!pruned.isEmpty()) {
          LOG.info("checkpoint parts pruned (keeping the newest {}): {}", options.keep(), pruned);
        }
        return new CheckpointPartReply(id, name, w.path().toString(), w.bytes(), w.manifestSha256(), t.pauseMs(),
            w.writeMs(), node, runId, null, System.currentTimeMillis());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, writerThread);
  }

  /** What this node resumed from, for the coordinator's pair check. */
  private void onInfo(Message<Object> msg) {
    JsonObject resumed = (JsonObject) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RESUMED_KEY);
    msg.reply(ControlReply.ok(RunState.RUNNING, new JsonObject().put("node", node).put("run", runId)
        .put("resumed_id", resumed == null ? null : resumed.getString("checkpoint_id"))
        .put("resumed_name", resumed == null ? null : resumed.getString("name"))
        .put("started_ms", startedMillis)
        .put("written_ids", new JsonArray(List.copyOf(writtenIds)))));
  }

  @Override
  public Future<?> stop() {
    // a part being written is this node's newest checkpoint: the stop waits for it (bounded), then the thread goes
    Future<?> current = writing == null ? Future.succeededFuture() : writing.timeout(STOP_WAIT_S, TimeUnit.SECONDS)
        .onFailure(e -> LOG.warn("stopping while a checkpoint part is still being written: {}", e.getMessage()));
    return current.eventually(() -> {
      writerThread.shutdown();
      return Future.succeededFuture();
    }).recover(e -> Future.succeededFuture());
  }
}
