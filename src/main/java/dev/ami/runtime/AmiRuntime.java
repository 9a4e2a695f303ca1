package dev.ami.runtime;

import ai.djl.engine.Engine;
import dev.ami.agent.AgentVerticle;
import dev.ami.bus.Addresses;
import dev.ami.bus.CheckpointPartReply;
import dev.ami.bus.CheckpointPartRequest;
import dev.ami.bus.Codecs;
import dev.ami.bus.ControlCommand;
import dev.ami.bus.ControlReply;
import dev.ami.bus.RunState;
import dev.ami.checkpoint.CheckpointVerticle;
import dev.ami.checkpoint.TrainerPartVerticle;
import dev.ami.cluster.ClusterOptions;
import dev.ami.cluster.ClusterRuntime;
import dev.ami.config.AmiConfig;
import dev.ami.config.CheckpointOptions;
import dev.ami.config.ConsoleOptions;
import dev.ami.config.RecordOptions;
import dev.ami.config.RunOptions;
import dev.ami.config.SystemOptions;
import dev.ami.config.TelemetryOptions;
import dev.ami.console.ConsoleVerticle;
import dev.ami.control.ControlVerticle;
import dev.ami.handover.Handovers;
import dev.ami.params.ParamSnapshot;
import dev.ami.params.SnapshotCodecs;
import dev.ami.preview.PreviewVerticle;
import dev.ami.recording.RecordingVerticle;
import dev.ami.redeploy.Redeployer;
import dev.ami.system.CpuPlan;
import dev.ami.system.HeapSizing;
import dev.ami.system.Nnpack;
import dev.ami.system.OmpTuning;
import dev.ami.system.ThreadTuning;
import dev.ami.telemetry.MetersVerticle;
import dev.ami.telemetry.ProcessMemory;
import dev.ami.telemetry.StatusLogVerticle;
import dev.ami.tensorboard.TensorBoardVerticle;
import dev.ami.training.TrainerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running system: Vert.x with metrics, and the verticles deployed in order (meters, control, console,
 * checkpoints, status log, TensorBoard, preview, trainer, agent), each under its role ({@link Roles}), so that one can be
 * redeployed on its own ({@link Redeployer}). {@link #stop()} undeploys in reverse, agent first so the actuators
 * go neutral before anything else stops, then frees every parameter snapshot.
 */
public final class AmiRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(AmiRuntime.class);

  private final Vertx vertx;
  private final AmiConfig config;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private Redeployer redeployer; // null where this node cannot redeploy
  private volatile boolean started;
  private final Promise<Void> terminated = Promise.promise();

  private final Roles roles;
  private final ClusterRuntime cluster = new ClusterRuntime();
  private long trimTimer = -1;

  private AmiRuntime(Vertx vertx, AmiConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.roles = new Roles(vertx, config);
  }

  /** A Vert.x instance with Micrometer metrics (Prometheus) and the runtime's message codecs. */
  public static Vertx newVertx() {
    Vertx vertx = Vertx.builder().with(vertxOptions()).build();
    Codecs.registerAll(vertx.eventBus(), SnapshotCodecs.ALL);
    return vertx;
  }

  /** Vert.x's options: Micrometer metrics, scraped as Prometheus text on the console's /metrics. */
  public static VertxOptions vertxOptions() {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        .setEnabled(true);
    return new VertxOptions().setMetricsOptions(metrics);
  }

  /**
   * Sets the DJL properties (and OpenMP's wait policy) the engine reads once, when it first loads; then loads it
   * and turns NNPACK off (see {@link Nnpack}).
   */
  public static void configureEngine(AmiConfig config) {
    System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    int threads = RunOptions.from(config).djlThreads();
    System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    if (threads > 1) {
      OmpTuning.passiveWait(); // libgomp's spin-wait collapses on shared cores; read once at libtorch load
    }
    Engine.getEngine("PyTorch");
    Nnpack.turnOff().ifPresent(LOG::info);
  }

  /** Deploys the whole system. */
  public static Future<AmiRuntime> start(Vertx vertx, AmiConfig config) {
    return start(vertx, config, Verticles.trainer());
  }

  /** Deploys the whole system with the given trainer verticle (tests inject trainers that fail on purpose). */
  public static Future<AmiRuntime> start(Vertx vertx, AmiConfig config, TrainerVerticle trainer) {
    return start(vertx, config, trainer, null);
  }

  /**
   * Deploys this node's part of a cluster ({@code cluster} non-null: its roles, after the cluster verticles have
   * mirrored the snapshots the cluster knows) or, without one, the whole system.
   */
  public static Future<AmiRuntime> start(Vertx vertx, AmiConfig config, TrainerVerticle trainer,
                                         ClusterOptions cluster) {
    return start(vertx, config, trainer, cluster, Verticles::agent);
  }

  /**
   * The same with agents from {@code agents}, the first one and those a redeploy builds (tests inject agents whose
   * brain fails on purpose).
   */
  public static Future<AmiRuntime> start(Vertx vertx, AmiConfig config, TrainerVerticle trainer,
                                         ClusterOptions cluster, java.util.function.Supplier<AgentVerticle> agents) {
    configureEngine(config);
    SystemOptions system = SystemOptions.from(config);
    boolean agent = cluster == null || cluster.agent();
    // an evaluation run acts with the checkpoint's models: nothing trains, nothing is checkpointed
    boolean eval = RunOptions.from(config).eval();
    boolean trains = (cluster == null || cluster.trainer()) && !eval;
    // agent and trainer on different nodes: one checkpoint part per node, coordinated from the agent's
    boolean split = cluster != null && cluster.agent() != cluster.trainer();
    // isolation keeps the trainer off the agent's CPU; a node without an agent leaves its other threads free
    CpuPlan.of(system.isolateCpus() && trains).tuneProcess(system.mallocTuning(), agent);
    if (cluster != null && trains && !agent) {
      HeapSizing.trainerAdvice().ifPresent(LOG::info);
    }
    AmiRuntime runtime = new AmiRuntime(vertx, config);
    boolean runFolder = vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY) != null;
    boolean console = ConsoleOptions.from(config).enabled() && (cluster == null || cluster.agent() || cluster.console());
    vertx.eventBus().consumer(Addresses.SHUTDOWN, m -> {
      LOG.info("shutting down ({})", m.body());
      runtime.stop();
    });
    vertx.sharedData().getLocalMap(Addresses.APP_MAP).put(Addresses.CONFIG_KEY, config.toJson());
    if (agent && trains) {
      Redeployer redeployer = new Redeployer(vertx, runtime.roles(), agents, Verticles::trainer);
      runtime.redeployer = redeployer;
      vertx.eventBus().<ControlCommand>consumer(Addresses.REDEPLOY, m -> {
        if (runtime.stopping.get() || !runtime.started) {
          m.reply(ControlReply.error(RunState.STOPPING, "the system is not running; nothing to redeploy"));
        } else {
          redeployer.handle(m.body()).onComplete(r -> m.reply(r.result()));
        }
      });
    }
    if (split && (agent || trains)) {
      runtime.redeployer = new Redeployer(vertx, runtime.roles(), agents, Verticles::trainer);
      runtime.splitRedeploy(agent);
    }
    runtime.trimPeriodically();
    Future<Void> joined = cluster == null ? Future.succeededFuture()
        : vertx.<JsonObject>executeBlocking(() -> snapshotLimits(config))
            .compose(limits -> runtime.cluster.start(vertx, cluster, limits)).<Void>mapEmpty();
    return joined
        .compose(v -> runtime.deploy(Roles.METERS, new MetersVerticle(), false))
        .compose(v -> agent || console ? runtime.deploy(Roles.CONTROL, new ControlVerticle(), false)
            : Future.succeededFuture()) // one control point per node that acts or shows; a trainer node asks them
        .compose(v -> console ? runtime.deploy(Roles.CONSOLE, new ConsoleVerticle(), false) : Future.succeededFuture())
        .compose(v -> agent && !eval && (trains || split)
            ? runtime.deploy(Roles.CHECKPOINT, new CheckpointVerticle(), false, splitConfig(config, cluster, split))
            : Future.succeededFuture())
        .compose(v -> trains && !agent && split
            ? runtime.deploy(Roles.CHECKPOINT_PART, new TrainerPartVerticle(), false,
                splitConfig(config, cluster, true))
            : Future.succeededFuture())
        .compose(v -> runtime.deploy(Roles.STATUS_LOG, new StatusLogVerticle(), false))
        .compose(v -> agent && runFolder && TelemetryOptions.from(config).tensorboard()
            ? runtime.deploy(Roles.TENSORBOARD, new TensorBoardVerticle(), false) : Future.succeededFuture())
        .compose(v -> agent && runFolder && RecordOptions.from(config).enabled()
            ? runtime.deploy(Roles.RECORDER, new RecordingVerticle(), false) : Future.succeededFuture())
        .compose(v -> agent ? runtime.deploy(Roles.PREVIEW, new PreviewVerticle(), false) : Future.succeededFuture())
        .compose(v -> trains ? runtime.deploy(Roles.TRAINER, trainer, true) : Future.succeededFuture())
        .compose(v -> agent ? runtime.deploy(Roles.AGENT, agents.get(), true) : Future.succeededFuture())
        .onSuccess(v -> {
          runtime.started = true;
          runtime.stopAfterMaxUptime(); // counted from when the system runs: a slow start does not eat into it
        })
        .map(runtime)
        .recover(e -> runtime.stop().transform(ignored -> Future.failedFuture(e)));
  }

  /** A forwarded trainer redeploy: the trainer node builds its standby trainer, then switches (up to minutes). */
  private static final DeliveryOptions REDEPLOY_FORWARD = new DeliveryOptions().setSendTimeout(300_000);

  /**
   * Redeploy in a split cluster: each node redeploys what it runs. The agent node takes {@code redeploy} from the
   * control points: target {@code agent} here, target {@code trainer} forwarded to the trainer node's
   * {@link Addresses#REDEPLOY_TRAINER}. Target {@code all} (both at once, make-before-break across two nodes) is
   * not yet done: it is refused with the two steps that do the same.
   */
  private void splitRedeploy(boolean agentNode) {
    String address = agentNode ? Addresses.REDEPLOY : Addresses.REDEPLOY_TRAINER;
    vertx.eventBus().<ControlCommand>consumer(address, m -> {
      JsonObject args = m.body() == null || m.body().args() == null ? new JsonObject() : m.body().args();
      String target = args.getValue("target") == null ? "all" : String.valueOf(args.getValue("target"));
      if (stopping.get() || !started) {
        m.reply(ControlReply.error(RunState.STOPPING, "the system is not running; nothing to redeploy"));
      } else if (agentNode && target.equals("trainer")) {
        vertx.eventBus().<ControlReply>request(Addresses.REDEPLOY_TRAINER, m.body(), REDEPLOY_FORWARD)
            .onComplete(r -> m.reply(r.succeeded() ? r.result().body() : ControlReply.error(RunState.RUNNING,
                "no trainer node took the redeploy: " + r.cause().getMessage())));
      } else if (target.equals(agentNode ? "agent" : "trainer")) {
        redeployer.handle(m.body()).onComplete(r -> m.reply(r.result()));
      } else {
        m.reply(ControlReply.error(RunState.RUNNING, "redeploy target " + target + " is not yet available in a "
            + "split cluster: redeploy target trainer, then target agent"));
      }
    });
  }

  /**
   * With {@code system.max_uptime}: a graceful stop when it is reached (the same path as the console's shutdown:
   * actuators neutral, final checkpoint, exit 0). The deadline goes into the local map {@code ami.app} under
   * {@link Addresses#DEADLINE_KEY} ({@link System#currentTimeMillis()} clock) for {@code uptime_left_s}.
   */
  private void stopAfterMaxUptime() {
    long seconds = SystemOptions.from(config).maxUptimeS();
    if (seconds <= 0) {
      return;
    }
    vertx.sharedData().getLocalMap(Addresses.APP_MAP).put(Addresses.DEADLINE_KEY, System.currentTimeMillis() + seconds * 1000);
    vertx.setTimer(seconds * 1000, t -> {
      LOG.info("system.max_uptime ({}) reached: stopping", dev.ami.config.Durations.format(seconds));
      vertx.eventBus().publish(Addresses.EVENTS, dev.ami.bus.Event.info("max-uptime",
          "system.max_uptime " + dev.ami.config.Durations.format(seconds) + " reached: stopping"));
      stop();
    });
  }

  /**
   * Every {@code system.malloc_trim_s}, on a worker: free pages of malloc's arenas go back to the kernel, so RSS
   * follows the memory in use rather than its all-time peak (docs/decisions/0006).
   */
  private void trimPeriodically() {
    SystemOptions system = SystemOptions.from(config);
    int every = system.mallocTrimS();
    if (every <= 0 || !system.mallocTuning()) {
      return;
    }
    trimTimer = vertx.setPeriodic(every * 1000L, t -> vertx.executeBlocking(() -> {
      long t0 = System.nanoTime();
      double before = ProcessMemory.rssMiB();
      ThreadTuning.mallocTrim(32L << 20);
      LOG.debug("malloc_trim: RSS {} -> {} MiB in {} ms", Math.round(before), Math.round(ProcessMemory.rssMiB()),
          (System.nanoTime() - t0) / 1_000_000);
      return null;
    }, false));
  }

  private Future<Void> deploy(String role, io.vertx.core.Deployable verticle, boolean worker) {
    return deploy(role, verticle, worker, config.toJson());
  }

  /** The checkpoint verticles' deployment config: the settings, whether the roles are split, and this node's id. */
  private static JsonObject splitConfig(AmiConfig config, ClusterOptions cluster, boolean split) {
    return config.toJson().put(CheckpointVerticle.SPLIT_KEY, split)
        .put(CheckpointVerticle.NODE_KEY, cluster == null ? null : cluster.node());
  }

  private Future<Void> deploy(String role, io.vertx.core.Deployable verticle, boolean worker,
                              JsonObject deploymentConfig) {
    if (stopping.get()) {
      // a shutdown arrived while this node was still starting (another node's console): deploy nothing more
      return Future.failedFuture("stopping: " + role + " not deployed");
    }
    return roles.deploy(verticle, worker, deploymentConfig).map(id -> {
      roles.assign(role, id);
      return null;
    });
  }

  private Roles roles() {
    return roles;
  }

  public Vertx vertx() {
    return vertx;
  }

  /**
   * Stops the runtime, then closes Vert.x, each waited for from the calling thread (not a Vert.x one). Closing
   * inside a callback of {@link #stop()} would complete on an event loop that the close itself has terminated:
   * the future never completes and the caller waits out its bound.
   */
  public static void stopAndClose(AmiRuntime runtime, Vertx vertx, long stopSeconds) throws Exception {
    try {
      runtime.stop().toCompletionStage().toCompletableFuture().get(stopSeconds, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * The largest snapshot each configured model can have on the wire: its parameters' bytes plus room for the
   * header. A peer's offer beyond it (or of a model this config has not) is refused before anything is allocated.
   */
  private static JsonObject snapshotLimits(AmiConfig config) {
    JsonObject limits = new JsonObject();
    dev.ami.checkpoint.ModelShapes.of(config).forEach((key, groups) -> {
      long floats = groups.values().stream().flatMap(List::stream)
          .mapToLong(dims -> dims.stream().reduce(1L, (a, b) -> a * b)).sum();
      limits.put(key, floats * Float.BYTES + HEADER_ALLOWANCE);
    });
    return limits;
  }

  /** Room for a snapshot's header (its names, shapes and spec) beside the parameters' bytes. */
  private static final long HEADER_ALLOWANCE = 1 << 20;

  /** Undeploys every role in stop order (agent first), as the roles stand now. */
  private Future<Void> undeployAll() {
    Future<Void> chain = Future.succeededFuture();
    for (String id : roles.inStopOrder()) {
      chain = chain.compose(v -> vertx.undeploy(id).recover(e -> {
        LOG.warn("undeploy of {} failed: {}", id, e.getMessage());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  /** Completes once the runtime has stopped, whoever asked (console shutdown, signal, caller). */
  public Future<Void> terminated() {
    return terminated.future();
  }

  /** Undeploys everything (agent first), frees the parameter snapshots; safe to call twice. */
  public Future<Void> stop() {
    if (!stopping.compareAndSet(false, true)) {
      return terminated.future();
    }
    vertx.cancelTimer(trimTimer);
    // a redeploy under way ends first (new ones are refused now): the agent it puts in place must be the one
    // stopped below, never one that starts ticking after "actuators neutral"
    long bound = SystemOptions.from(config).stopTimeoutMs();
    Future<Void> chain = (redeployer == null ? Future.<Void>succeededFuture() : redeployer.idle())
        .timeout(bound, java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(e -> {
          LOG.warn("a redeploy was still under way after {} ms; stopping anyway", bound);
          return Future.succeededFuture();
        });
    // only where the checkpoints are taken: a trainer node's stop must not pause an agent on another node
    chain = chain.compose(v -> started && roles.id(Roles.CHECKPOINT) != null ? lastCheckpoint()
        : Future.succeededFuture());
    // a split cluster's trainer node asks the agent node for a pair while its trainer is still deployed
    chain = chain.compose(v -> started && roles.id(Roles.CHECKPOINT_PART) != null ? trainerNodeLastCheckpoint()
        : Future.succeededFuture());
    chain = chain.compose(v -> undeployAll());
    return chain.compose(v -> cluster.stop(vertx)).onComplete(v -> {
      releaseSnapshots();
      Handovers.of(vertx).clearBuffers(); // the buffers' frames go with the process's run
      terminated.tryComplete();
    });
  }

  /**
   * On a graceful shutdown of a system that ran: the agent pauses (actuators neutral at once), then a checkpoint
   * is written, bounded by {@code checkpoint.shutdown_timeout_s}. A failure is logged and the shutdown goes on.
   */
  private Future<Void> lastCheckpoint() {
    CheckpointOptions options = CheckpointOptions.from(config);
    if (!options.onShutdown() || vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY) == null) {
      return Future.succeededFuture(); // a benchmark keeps no run folder, so no checkpoints
    }
    DeliveryOptions ask = new DeliveryOptions().setSendTimeout(options.shutdownTimeoutS() * 1000L);
    return vertx.eventBus().<ControlReply>request(Addresses.AGENT_CONTROL, ControlCommand.of("pause"),
            new DeliveryOptions().setSendTimeout(SystemOptions.from(config).stopTimeoutMs()))
        .otherwiseEmpty()
        .compose(v -> vertx.eventBus().<ControlReply>request(Addresses.CHECKPOINT, ControlCommand.of("shutdown"), ask))
        .onSuccess(m -> {
          if (!m.body().ok()) {
            LOG.warn("no checkpoint at shutdown: {}", m.body().error());
          }
        })
        .onFailure(e -> LOG.warn("no checkpoint at shutdown: {}", e.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  /**
   * On a graceful stop of a split cluster's trainer node: asks the coordinator on the agent node for a pair
   * ({@code trainer-stop}); when there is none to ask, or it fails, writes this node's part alone. Both within
   * {@code checkpoint.shutdown_timeout_s}; a failure is logged and the stop goes on.
   */
  private Future<Void> trainerNodeLastCheckpoint() {
    CheckpointOptions options = CheckpointOptions.from(config);
    if (!options.onShutdown()
        || vertx.sharedData().getLocalMap(Addresses.APP_MAP).get(Addresses.RUN_FOLDER_KEY) == null) {
      return Future.succeededFuture();
    }
    long stopStartedMillis = System.currentTimeMillis();
    long boundMs = options.shutdownTimeoutS() * 1000L;
    long deadlineNanos = System.nanoTime() + boundMs * 1_000_000;
    // half the bound for the pair: an agent node killed without a goodbye leaves the other half for this part alone
    return vertx.eventBus().<ControlReply>request(Addresses.CHECKPOINT, ControlCommand.of("trainer-stop"),
            new DeliveryOptions().setSendTimeout(boundMs / 2))
        .compose(m -> m.body().ok() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(m.body().error()))
        .recover(e -> {
          LOG.info("no checkpoint pair at this trainer node's stop ({}): writing its part alone", e.getMessage());
          long leftMs = Math.max(1_000, (deadlineNanos - System.nanoTime()) / 1_000_000);
          return vertx.eventBus().<CheckpointPartReply>request(Addresses.CHECKPOINT_TRAINER_PART,
                  CheckpointPartRequest.standalone(null, "shutdown", stopStartedMillis),
                  new DeliveryOptions().setSendTimeout(leftMs).setLocalOnly(true))
              .compose(m -> m.body().ok() ? Future.<Void>succeededFuture()
                  : Future.<Void>failedFuture(m.body().error()));
        })
        .onFailure(e -> LOG.warn("no checkpoint at shutdown: {}", e.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }

  private void releaseSnapshots() {
    LocalMap<String, ParamSnapshot> params = vertx.sharedData().getLocalMap(Addresses.PARAMS_MAP);
    for (String key : params.keySet()) {
      ParamSnapshot s = params.remove(key);
      if (s != null) {
        s.release();
      }
    }
  }
}
