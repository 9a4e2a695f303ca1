package dev.ami.bus;

/**
 * Every event-bus address of the runtime. Verticles agree on these and on the records in this package,
 * never on each other's classes. docs/architecture.md lists them with their message types.
 */
public final class Addresses {
  /** Request-reply, {@link ControlCommand} → {@link ControlReply}: the operator's commands for the whole system. */
  public static final String CONTROL = "ami.control";
  /** Request-reply, {@link ControlCommand} → {@link ControlReply}: the agent's own control. */
  public static final String AGENT_CONTROL = "ami.agent.control";
  /** Request-reply, {@link ControlCommand} → {@link ControlReply}: the trainer's own control. */
  public static final String TRAINER_CONTROL = "ami.trainer.control";
  /** Request-reply, any body → {@link AgentState}: the agent's counters and hidden state, between two ticks. */
  public static final String AGENT_STATE = "ami.agent.state";
  /** Request-reply, any body → {@code params.TrainerState}: every model's training state, between two steps. */
  public static final String TRAINER_STATE = "ami.trainer.state";
  /**
   * Request-reply, {@link ControlCommand} {@code checkpoint} → {@link ControlReply}: write a checkpoint now. In a
   * split cluster it also takes {@code trainer-stop}, the trainer node's last checkpoint at its stop.
   */
  public static final String CHECKPOINT = "ami.checkpoint";
  /**
   * Request-reply, {@link CheckpointPartRequest} → {@link CheckpointPartReply}: the trainer node of a split cluster
   * writes its part of a checkpoint. One trainer node per cluster: a second one would get requests round-robin.
   */
  public static final String CHECKPOINT_TRAINER_PART = "ami.checkpoint.trainer.part";
  /**
   * Request-reply, any body → {@link ControlReply} with detail {node, run, resumed_id, resumed_name, started_ms,
   * written_ids}: what the trainer node resumed from and wrote since, for the coordinator's pair check.
   */
  public static final String CHECKPOINT_TRAINER_INFO = "ami.checkpoint.trainer.info";
  /** Publish, {@link StepRecord}: agent → the trainers' buffers (and recorders), one per completed step. */
  public static final String TRANSITIONS = "ami.transitions";
  /** Publish, {@link ParamsPublished}: a new snapshot is in the local map {@link #PARAMS_MAP}. */
  public static final String PARAMS_PUBLISHED = "ami.params.published";
  /** Publish, {@link TickRecord}: one per agent tick, for meters, console and benchmark. */
  public static final String TELEMETRY_TICK = "ami.telemetry.tick";
  /** Publish, {@link TrainRecord}: one per training step. */
  public static final String TELEMETRY_TRAIN = "ami.telemetry.train";
  /** Publish, {@link PpoUpdate}: one per PPO update (the epochs over one rollout). */
  public static final String TELEMETRY_PPO = "ami.telemetry.ppo";
  /** Publish, {@link ObservationRecord}: the frame the agent acted on, at most telemetry.frame_hz per second. */
  public static final String TELEMETRY_FRAME = "ami.telemetry.frame";
  /** Publish, {@link ExpectedFrameRecord}: the decoded prediction of the next frame, at the frame rate. */
  public static final String TELEMETRY_EXPECTED = "ami.telemetry.expected";
  /** Every frame the agent acts on ({@link ObservationRecord}), local only, while {@code record.enabled}. */
  public static final String RECORD_FRAME = "ami.record.frame";
  /** Publish, {@link WorldRecord}: exploration of the built-in world, once a second. */
  public static final String TELEMETRY_WORLD = "ami.telemetry.world";
  /** Publish, {@link CheckpointRecord}: one per checkpoint written or failed. */
  public static final String TELEMETRY_CHECKPOINT = "ami.telemetry.checkpoint";
  /** Publish, {@link Event}: things an operator wants in the log (pauses, publishes, errors). */
  public static final String EVENTS = "ami.events";
  /**
   * Request-reply, {@link ControlCommand} {@code redeploy} (args: target, model, from) → {@link ControlReply}
   * (build, handover and gap times, missed ticks, warnings): new agent or trainer verticles without a restart.
   */
  public static final String REDEPLOY = "ami.app.redeploy";
  /**
   * Request-reply, {@link ControlCommand} {@code redeploy} with target {@code trainer} → {@link ControlReply}: the
   * agent node of a split cluster forwards a trainer redeploy to the trainer node. One trainer node per cluster.
   */
  public static final String REDEPLOY_TRAINER = "ami.app.redeploy.trainer";
  /** Publish, {@link RedeployRecord}: one per redeploy, done or failed. */
  public static final String TELEMETRY_REDEPLOY = "ami.telemetry.redeploy";
  /** Publish, any body: asks the launcher of every node to shut its process down gracefully. */
  public static final String SHUTDOWN = "ami.app.shutdown";
  /** Publish, {@link SnapshotOffer}: a node serves this snapshot's bytes (cluster mode). */
  public static final String SNAPSHOT_OFFERS = "ami.params.offers";
  /**
   * Request-reply, prefix of a node's own address {@code <prefix><node id>}: a JSON request {key, version,
   * chunk} → that chunk of the encoded snapshot as a {@code Buffer} (cluster mode).
   */
  public static final String SNAPSHOT_FETCH_PREFIX = "ami.params.fetch.";
  /** Publish, {@link NodeBeat}: every node, every second (cluster mode). */
  public static final String NODE_BEATS = "ami.cluster.beats";

  /**
   * Request-reply, prefix of an agent deployment's own addresses: {@code <prefix><deployment id>.give} answers
   * with an {@link AgentHandover} at the next tick boundary and stops ticking; {@code .take} takes one over.
   */
  public static final String AGENT_HANDOVER_PREFIX = "ami.agent.handover.";
  /** Request-reply, prefix of a trainer deployment's own address {@code <prefix><deployment id>.go}: start training. */
  public static final String TRAINER_GO_PREFIX = "ami.trainer.go.";

  /** Shared-data local map holding the latest {@code dev.ami.params.ParamSnapshot} per model key. */
  public static final String PARAMS_MAP = "ami.params";
  /** Shared-data local map holding the configuration the models run with now (JSON) under {@link #CONFIG_KEY}. */
  public static final String APP_MAP = "ami.app";
  public static final String CONFIG_KEY = "config";
  /** This process's run folder ({@code dev.ami.runs.RunFolder}); absent in a benchmark, which writes none. */
  public static final String RUN_FOLDER_KEY = "run_folder";
  /** When {@code system.max_uptime} stops the run ({@link System#currentTimeMillis()} clock); absent: never. */
  public static final String DEADLINE_KEY = "deadline_ms";
  /** {@link #APP_MAP} key: JSON {checkpoint_id, name, path} of the checkpoint part this process resumed from. */
  public static final String RESUMED_KEY = "resumed";
  /** Shared-data local map where the console publishes {@code port}, the port it actually listens on. */
  public static final String CONSOLE_MAP = "ami.console";

  private Addresses() {
  }
}
