package dev.ami.checkpoint;

import dev.ami.bus.Addresses;
import dev.ami.bus.AgentState;
import dev.ami.bus.CheckpointPartReply;
import dev.ami.bus.CheckpointPartRequest;
import dev.ami.bus.CheckpointRecord;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.Event;
import dev.ami.bus.NodeBeat;
import dev.ami.bus.RunState;
import dev.ami.config.AmiConfig;
import dev.ami.config.CheckpointOptions;
import dev.ami.config.Secrets;
import dev.ami.data.Buffers;
import dev.ami.data.Saved;
import dev.ami.handover.Handovers;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.TrainerState;
import dev.ami.runs.RunFolder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes checkpoints into the run folder's {@code states/}: on {@link Addresses#CHECKPOINT} (operator, shutdown)
 * and every {@code checkpoint.interval}. It asks the agent for its state (taken between two ticks) and the trainer
 * for every model's (taken between two steps), then serialises and writes on a thread of its own, so neither ever
 * waits for the disk. One checkpoint at a time: an operator's request while one is being written is refused; the
 * shutdown's waits for it, then writes the final one. A process without a run folder (the benchmarks) takes none.
 *
 * <p>In a split cluster ({@link #SPLIT_KEY}) it runs on the agent node and coordinates one part per node under the
 * same name: the trainer node writes a complete checkpoint ({@link TrainerPartVerticle}), then this node writes
 * the agent's part, which records the trainer part's manifest hash. Each part is valid alone; a trainer part whose
 * agent part failed stays, one newer than the agent node's newest, and the pair check at resume reports a mismatch.
 */
public final class CheckpointVerticle extends VerticleBase {
  /** Deployment config: true on the agent node of a split cluster, whose trainer is on another node. */
  public static final String SPLIT_KEY = "ami.checkpoint.split";
  /** Deployment config: this node's id in the cluster (the same key as the cluster verticles'). */
  public static final String NODE_KEY = "ami.cluster.node";
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointVerticle.class);
  /** Local-only: both states hold what never crosses a JVM (native arrays, the agent's own counters). */
  private static final DeliveryOptions AGENT_ASK = new DeliveryOptions().setSendTimeout(10_000).setLocalOnly(true);
  private static final DeliveryOptions TRAINER_ASK = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);
  /** The trainer node's whole part: its trainer's pause, then up to a few hundred MB written with fsync. */
  private static final DeliveryOptions TRAINER_PART_ASK = new DeliveryOptions().setSendTimeout(180_000);
  /** A trainer node not heard from for this long is gone (as {@code NodeBeats} counts it). */
  static final long TRAINER_GONE_MS = 3_000;
  private static final DeliveryOptions PAIR_ASK = new DeliveryOptions().setSendTimeout(10_000);
  /** Nodes started this close together were meant to resume one checkpoint. */
  private static final long PAIR_WINDOW_MS = 10 * 60_000;
  /** How many times the pair check asks a trainer node that does not answer yet, a second apart. */
  private static final int PAIR_TRIES = 15;
  private final long startedMillis = System.currentTimeMillis();

  private CheckpointOptions options;
  private Path states; // null: no run folder, no checkpoints
  private String runId;
  private boolean split;
  private String node;
  private CheckpointWriter writer;
  private ExecutorService writerThread;
  private long inFlightSince = -1; // event-loop confined, like everything below
  private Future<Taken> inFlight;
  private String inFlightReason;
  private Future<Taken> lastFinal;
  private String lastFinalReason;
  private long lastFinalDoneNanos;
  private boolean lastFinalPaired; // it was written, with the trainer's part: only such a pair is joined later
  private long lastTrainerBeatNanos = -1;

  /** A checkpoint's record, and what the operator's reply adds in a split cluster (null otherwise). */
  private record Taken(CheckpointRecord record, JsonObject detail) {
  }

  @Override
  public Future<?> start() {
    options = CheckpointOptions.from(AmiConfig.of(config()));
    RunFolder run = (RunFolder) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY);
    states = run == null ? null : run.states();
    runId = run == null ? null : run.id();
    split = config().getBoolean(SPLIT_KEY, false);
    node = config().getString(NODE_KEY);
    writer = states == null ? null : new CheckpointWriter(states, Clock.systemUTC());
    writerThread = CheckpointWriter.thread("ami-checkpoint");
    vertx.eventBus().<ControlCommand>consumer(Addresses.CHECKPOINT, this::onRequest);
    if (split) {
      vertx.eventBus().<NodeBeat>consumer(Addresses.NODE_BEATS, m -> {
        if (m.body().roles().contains("trainer") && !Objects.equals(m.body().node(), node)) {
          lastTrainerBeatNanos = System.nanoTime();
        }
      });
      vertx.eventBus().<Event>consumer(Addresses.EVENTS, m -> {
        if ("trainer-joined".equals(m.body().kind())) {
          checkPair();
        }
      });
      checkPair();
    }
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
    // the operator's command is "checkpoint"; the runtime asks with its own reason ("shutdown", "trainer-stop")
    String cmd = msg.body() == null ? "checkpoint" : msg.body().cmd();
    String reason = "checkpoint".equals(cmd) ? "operator" : cmd;
    Future<Taken> taken = dispatch(reason);
    taken.onComplete(r -> {
      CheckpointRecord c = r.succeeded() ? r.result().record() : null;
      if (c != null && c.ok() && split && "trainer-stop".equals(reason) && !hasTrainerPart(r.result())) {
        // the trainer node stops on this answer: told ok, it would skip the part of its own and lose its state
        msg.reply(ControlReply.error(RunState.RUNNING, "the pair was written without the trainer's part: "
            + "write your own"));
      } else if (c != null && c.ok()) {
        JsonObject detail = new JsonObject().put("path", c.path()).put("bytes", c.bytes())
            .put("ms", Math.round(c.totalMs())).put("trainer_pause_ms", c.trainerPauseMs())
            .put("write_ms", Math.round(c.writeMs())).put("reason", c.reason());
        if (r.result().detail() != null) {
          detail.mergeIn(r.result().detail());
        }
        msg.reply(ControlReply.ok(RunState.RUNNING, detail));
      } else {
        msg.reply(ControlReply.error(RunState.RUNNING, c != null ? c.error() : r.cause().getMessage()));
      }
    });
  }

  /**
   * Which checkpoint answers a request. In a split cluster both nodes ask for a final one when they stop together:
   * the second joins the first's pair (in flight, or just written with both parts). A final one never gives way to
   * a periodic or operator one under way: it waits for that one, then decides again, so two final requests that
   * waited together still make one pair.
   */
  private Future<Taken> dispatch(String reason) {
    if (split && isFinal(reason) && inFlight != null && isFinal(inFlightReason)) {
      return inFlight;
    }
    if (split && isFinal(reason) && lastFinal != null && lastFinalPaired && !reason.equals(lastFinalReason)
        && System.nanoTime() - lastFinalDoneNanos < options.shutdownTimeoutS() * 1_000_000_000L) {
      return lastFinal; // the other node's final pair, just written and none since: the same stop of both nodes
    }
    if (isFinal(reason) && inFlight != null) {
      LOG.info("{}: waiting for the checkpoint being written (for {} ms) before the final one", reason,
          (System.nanoTime() - inFlightSince) / 1_000_000);
      return inFlight.transform(previous -> dispatch(reason)); // its own handlers have cleared inFlight by then
    }
    return takeDetailed(reason);
  }

  /** Whether a written checkpoint has the trainer node's part (a split pair, not the agent's part alone). */
  private static boolean hasTrainerPart(Taken t) {
    return t.record().ok() && t.detail() != null && t.detail().getString("trainer_path") != null;
  }

  private static boolean isFinal(String reason) {
    return "shutdown".equals(reason) || "trainer-stop".equals(reason);
  }

  /** One checkpoint; completes with its record (which says whether it failed) once written or given up. */
  Future<CheckpointRecord> take(String reason) {
    return takeDetailed(reason).map(Taken::record);
  }

  private Future<Taken> takeDetailed(String reason) {
    if (states == null) {
      return Future.failedFuture("this process keeps no run folder (a benchmark or soak): no checkpoints");
    }
    if (inFlightSince >= 0) {
      return Future.failedFuture("a checkpoint is already being written (for "
          + (System.nanoTime() - inFlightSince) / 1_000_000 + " ms)");
    }
    if (split && !trainerAlive() && !"shutdown".equals(reason)) {
      if ("periodic".equals(reason)) {
        LOG.info("periodic checkpoint skipped: no trainer node alive");
      }
      return Future.failedFuture("no trainer node alive: nothing written");
    }
    long t0 = System.nanoTime();
    inFlightSince = t0;
    inFlightReason = reason;
    Future<Taken> attempt;
    try {
      attempt = split ? takeSplit(reason, t0) : takeWhole(reason, t0);
    } catch (RuntimeException e) { // thrown before any future (a stopped writer thread): still one answer, then idle
      attempt = Future.failedFuture(e);
    }
    Future<Taken> taken = attempt
        .recover(e -> Future.succeededFuture(new Taken(new CheckpointRecord(reason, null, 0, msSince(t0),
            Double.NaN, Double.NaN, String.valueOf(e.getMessage()), System.currentTimeMillis()), null)))
        .onSuccess(t -> report(t.record()));
    inFlight = taken;
    taken.onComplete(r -> {
      if (inFlight == taken) {
        inFlight = null;
        inFlightSince = -1;
        inFlightReason = null;
      }
      if (isFinal(reason)) {
        lastFinal = taken;
        lastFinalReason = reason;
        lastFinalDoneNanos = System.nanoTime();
        lastFinalPaired = r.succeeded() && hasTrainerPart(r.result());
      } else {
        lastFinal = null; // a checkpoint since the last final one: a later final one writes a new pair
        lastFinalReason = null;
      }
    });
    return taken;
  }

  /** The agent and the trainer in this JVM: one whole checkpoint. */
  private Future<Taken> takeWhole(String reason, long t0) {
    EventBus bus = vertx.eventBus();
    AmiConfig config = currentConfig();
    return agentState(reason).compose(a -> bus.<TrainerState>request(Addresses.TRAINER_STATE, reason, TRAINER_ASK)
            .map(Message::body)
            .compose(trainer -> write(new CheckpointContent(reason, savedConfig(config), ModelShapes.specs(config),
                trainer, a, buffers()))))
        .map(w -> new Taken(new CheckpointRecord(reason, w.written().path().toString(), w.written().bytes(),
            msSince(t0), w.trainerPauseMs(), w.written().writeMs(), null, System.currentTimeMillis()), null));
  }

  /**
   * A split cluster's pair: the agent's state, the parameters this node acts with (acquired in the same event-loop
   * turn, so no newer than the trainer's), the trainer node's part, then this node's part under the same name.
   * A shutdown with no trainer part writes the agent's part alone, so the agent's counters are kept.
   */
  private Future<Taken> takeSplit(String reason, long t0) {
    String id = UUID.randomUUID().toString();
    Instant stamp = Instant.ofEpochMilli(System.currentTimeMillis());
    AmiConfig config = currentConfig();
    return onWriter(() -> Checkpoints.nextSequence(states)).compose(seq -> agentState(reason).compose(a -> {
      Map<String, ParamSnapshot> held = acquireParams();
      Future<CheckpointPartReply> part;
      try {
        part = trainerAlive()
            ? askTrainerPart(CheckpointPartRequest.of(id, seq, stamp.toEpochMilli(), reason, node, runId, a))
            : Future.<CheckpointPartReply>failedFuture("no trainer node alive");
      } catch (RuntimeException e) {
        held.values().forEach(ParamSnapshot::release);
        throw e;
      }
      return part.<Taken>transform(r -> {
        String error = r.failed() ? String.valueOf(r.cause().getMessage())
            : r.result().error() != null ? r.result().error()
            : r.result().path() == null ? "the trainer node wrote no part" : null;
        if (error == null) {
          return writeAgentPart(reason, id, stamp, config, a, held, r.result(), t0);
        }
        if (!"shutdown".equals(reason)) {
          held.values().forEach(ParamSnapshot::release);
          return Future.<Taken>failedFuture("trainer part: " + error + "; nothing written");
        }
        LOG.warn("shutdown checkpoint without the trainer's part ({}): the agent's part alone", error);
        return writeAgentPart(reason, id, stamp, config, a, held, null, t0);
      });
    }));
  }

  /** Every snapshot this node acts with now, acquired; released once the agent's part is written. */
  private Map<String, ParamSnapshot> acquireParams() {
    LocalMap<String, ParamSnapshot> map = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    Map<String, ParamSnapshot> held = new LinkedHashMap<>();
    for (String key : new TreeSet<>(map.keySet())) {
      ParamSnapshot s = map.get(key);
      if (s != null && s.tryAcquire()) { // one freed meanwhile is left out: the part holds a subset then
        held.put(key, s);
      }
    }
    return held;
  }

  /** The trainer node's part, failed early when the trainer node stops beating while it is written. */
  private Future<CheckpointPartReply> askTrainerPart(CheckpointPartRequest request) {
    Promise<CheckpointPartReply> promise = Promise.promise();
    vertx.eventBus().<CheckpointPartReply>request(Addresses.CHECKPOINT_TRAINER_PART, request, TRAINER_PART_ASK)
        .onComplete(r -> {
          if (r.succeeded()) {
            promise.tryComplete(r.result().body());
          } else {
            promise.tryFail(r.cause());
          }
        });
    long watch = vertx.setPeriodic(1_000, t -> {
      if (!trainerAlive()) {
        promise.tryFail(new IllegalStateException("trainer node gone mid-checkpoint (no beat for "
            + TRAINER_GONE_MS + " ms)"));
      }
    });
    return promise.future().onComplete(r -> vertx.cancelTimer(watch));
  }

  private Future<Taken> writeAgentPart(String reason, String id, Instant stamp, AmiConfig config, AgentState a,
                                       Map<String, ParamSnapshot> held, CheckpointPartReply trainer, long t0) {
    JsonObject parts = new JsonObject().put("agent", new JsonObject().put("node", node).put("run", runId));
    if (trainer == null) {
      parts.putNull("trainer");
    } else {
      parts.put("trainer", new JsonObject().put("node", trainer.node()).put("run", trainer.run())
          .put("name", trainer.name()).put("path", trainer.path()).put("manifest_sha256", trainer.manifestSha256())
          .put("bytes", trainer.bytes()));
    }
    String name = trainer == null ? null : trainer.name(); // alone: this run's next name
    CompletableFuture<CheckpointWriter.Written> done;
    try {
      CheckpointContent content = new CheckpointContent(reason, savedConfig(config), ModelShapes.specs(config), null,
          a, Map.of(), Part.AGENT, id, stamp, held, parts);
      done = CompletableFuture.supplyAsync(() -> {
        try {
          CheckpointWriter.Written w = writer.write(content, name);
          prune();
          return w;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } finally {
          held.values().forEach(ParamSnapshot::release);
        }
      }, writerThread);
    } catch (RuntimeException e) { // the write never started (the writer shut down, or the content failed to
      held.values().forEach(ParamSnapshot::release); // build): nobody else will release what this part held
      return Future.failedFuture(e);
    }
    return Future.fromCompletionStage(done, vertx.getOrCreateContext())
        .recover(e -> Future.failedFuture(trainer == null ? String.valueOf(e.getMessage())
            : "trainer part written at " + trainer.path() + "; agent part failed: " + e.getMessage()))
        .map(w -> {
          CheckpointRecord record = new CheckpointRecord(reason, w.path().toString(),
              w.bytes() + (trainer == null ? 0 : trainer.bytes()), msSince(t0),
              trainer == null ? Double.NaN : trainer.trainerPauseMs(),
              trainer == null ? w.writeMs() : trainer.writeMs(), null, System.currentTimeMillis());
          JsonObject detail = new JsonObject().put("name", w.path().getFileName().toString())
              .put("checkpoint_id", id).put("agent_bytes", w.bytes()).put("agent_write_ms", Math.round(w.writeMs()))
              .put("trainer_path", trainer == null ? null : trainer.path())
              .put("trainer_node", trainer == null ? null : trainer.node())
              .put("trainer_bytes", trainer == null ? 0L : trainer.bytes());
          return new Taken(record, detail);
        });
  }

  /**
   * Both nodes resumed, from parts of different checkpoints, at about the same time: an orphan trainer part (the
   * agent node died between the two writes) or a copied folder. Both still run; the operator is told. A trainer
   * node beats before its part verticle is deployed: the question is asked again for a while until it answers.
   */
  private void checkPair() {
    checkPair(PAIR_TRIES);
  }

  private void checkPair(int triesLeft) {
    JsonObject own = (JsonObject) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RESUMED_KEY);
    if (own == null) {
      return;
    }
    vertx.eventBus().<ControlReply>request(Addresses.CHECKPOINT_TRAINER_INFO, "pair", PAIR_ASK).onSuccess(m -> {
      JsonObject trainer = m.body().detail();
      if (trainer == null || trainer.getString("resumed_id") == null) {
        return;
      }
      boolean together = Math.abs(trainer.getLong("started_ms", 0L) - startedMillis) < PAIR_WINDOW_MS;
      // the agent's part may be of a pair the trainer node wrote after it resumed: that is no mismatch
      boolean writtenByIt = trainer.getJsonArray("written_ids", new JsonArray())
          .contains(own.getString("checkpoint_id"));
      String text = "agent resumed from " + own.getString("name") + ", trainer from "
          + trainer.getString("resumed_name");
      if (together && !writtenByIt
          && !Objects.equals(own.getString("checkpoint_id"), trainer.getString("resumed_id"))) {
        LOG.warn("checkpoint-mismatch: {}", text);
        vertx.eventBus().publish(Addresses.EVENTS, Event.warn("checkpoint-mismatch", text));
      } else {
        LOG.info("checkpoint pair: {}", text);
      }
    }).onFailure(e -> {
      if (triesLeft > 1) {
        vertx.setTimer(1_000, t -> checkPair(triesLeft - 1));
      }
    });
  }

  private boolean trainerAlive() {
    return lastTrainerBeatNanos >= 0 && System.nanoTime() - lastTrainerBeatNanos < TRAINER_GONE_MS * 1_000_000;
  }

  private Future<AgentState> agentState(String reason) {
    return vertx.eventBus().<AgentState>request(Addresses.AGENT_STATE, reason, AGENT_ASK).map(Message::body)
        .recover(e -> {
          LOG.info("checkpoint without the agent's state: {}", e.getMessage());
          return Future.succeededFuture(null);
        });
  }

  /** The models' config now: a redeploy may have changed it since this verticle was deployed. */
  private AmiConfig currentConfig() {
    JsonObject current = (JsonObject) vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.CONFIG_KEY);
    return AmiConfig.of(current != null ? current : config());
  }

  private record Done(CheckpointWriter.Written written, double trainerPauseMs) {
  }

  /** Serialises and writes on the checkpoint thread; the trainer's state is freed there once written. */
  private Future<Done> write(CheckpointContent content) {
    return onWriter(() -> {
      try (TrainerState trainer = content.trainer()) {
        CheckpointWriter.Written w = writer.write(content);
        prune();
        return new Done(w, trainer.pauseMs());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** On the checkpoint thread: the disk is never touched from the event loop. */
  private <T> Future<T> onWriter(Supplier<T> work) {
    return Future.fromCompletionStage(CompletableFuture.supplyAsync(work, writerThread), vertx.getOrCreateContext());
  }

  /** On the checkpoint thread. */
  private void prune() throws IOException {
    List<Path> pruned = Checkpoints.prune(states, options.keep());
    if (!pruned.isEmpty()) {
      LOG.info("checkpoints pruned (keeping the newest {}): {}", options.keep(), pruned);
    }
  }

  private static double msSince(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private Map<String, Saved> buffers() {
    return buffers(vertx, options);
  }

  /** The trainers' buffers of this process, by file name; none when {@code checkpoint.buffers} is off. */
  static Map<String, Saved> buffers(Vertx vertx, CheckpointOptions options) {
    if (!options.buffers()) {
      return Map.of();
    }
    Buffers b = Handovers.of(vertx).buffers();
    return b == null ? Map.of() : b.parts();
  }

  /** The resolved config as saved: the console token is a secret and stays out. */
  static JsonObject savedConfig(AmiConfig config) {
    JsonObject json = config.toJson();
    for (String key : json.fieldNames()) {
      json.put(key, Secrets.shown(key, json.getValue(key)));
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
